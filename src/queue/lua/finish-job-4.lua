--[[
  Removes one job for good after it failed (the failed store already holds it) or was dropped:
  acks and deletes the entry, forgets its location, releases its unique lock if it still holds
  it. Only the consumer
  that owns the entry may do this.

  Input:
    KEYS[1] stream
    KEYS[2] job index HASH
    KEYS[3] unique locks ZSET
    KEYS[4] unique lock owners HASH

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] entry id
    ARGV[4] job id
    ARGV[5] unique key ("" = none)

  Output:
    1, or -2 (EntryNotPending), -3 (EntryNotOwned)
]]
local pending = redis.call("XPENDING", KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #pending == 0 then
  return -2
end
if pending[1][2] ~= ARGV[2] then
  return -3
end
redis.call("XACK", KEYS[1], ARGV[1], ARGV[3])
redis.call("XDEL", KEYS[1], ARGV[3])
redis.call("HDEL", KEYS[2], ARGV[4])
if ARGV[5] ~= "" and redis.call("HGET", KEYS[4], ARGV[5]) == ARGV[4] then
  redis.call("ZREM", KEYS[3], ARGV[5])
  redis.call("HDEL", KEYS[4], ARGV[5])
end
return 1
