--[[
  Claims the given entries of one stream for this consumer once idle for at least the given time
  (XCLAIM: the entries of a dead or stopped worker), unless the stream's queue is paused: a paused
  queue's entries stay with their old owner until it resumes, when stall recovery takes them.

  Input:
    KEYS[1] stream
    KEYS[2] paused queue names SET

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] queue name
    ARGV[4] minimum idle time (ms)
    ARGV[5..] entry ids

  Output:
    XCLAIM's reply: { { entry id, { field, value, ... } }, ... }; empty when the queue is paused
]]
if redis.call("SISMEMBER", KEYS[2], ARGV[3]) == 1 then
  return {}
end
return redis.call("XCLAIM", KEYS[1], ARGV[1], ARGV[2], ARGV[4], unpack(ARGV, 5))
