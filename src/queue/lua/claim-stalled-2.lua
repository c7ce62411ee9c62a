--[[
  Claims entries of one stream idle past the stall threshold for this consumer (XAUTOCLAIM), with
  how often each was delivered, unless the stream's queue is paused: a paused queue's entries stay
  where they are until it resumes. Checking the paused SET in the same atomic step as the claim is
  what keeps stall recovery from starting a job of a queue paused a moment before.

  Input:
    KEYS[1] stream
    KEYS[2] paused queue names SET

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] queue name
    ARGV[4] minimum idle time (ms)
    ARGV[5] entries to claim at most

  Output:
    { { entry id, { field, value, ... }, deliveries }, ... }; empty when the queue is paused
]]
if redis.call("SISMEMBER", KEYS[2], ARGV[3]) == 1 then
  return {}
end
local claimed = redis.call("XAUTOCLAIM", KEYS[1], ARGV[1], ARGV[2], ARGV[4], "0-0", "COUNT", ARGV[5])[2]
local out = {}
for _, entry in ipairs(claimed) do
  -- A deleted entry still in the PEL comes back without fields.
  if type(entry) == "table" then
    local row = redis.call("XPENDING", KEYS[1], ARGV[1], entry[1], entry[1], 1, ARGV[2])[1]
    out[#out + 1] = { entry[1], entry[2], row and row[4] or 1 }
  end
end
return out
