--[[
  Ends an attempt that will run again: a failed try (with backoff) or a release. The entry is
  acked and deleted, and the job goes to the delayed set (or straight back into the stream when
  it is due now). Only the consumer that owns the entry may do this.

  Input:
    KEYS[1] stream
    KEYS[2] delayed ZSET
    KEYS[3] delayed jobs HASH
    KEYS[4] job index HASH
    KEYS[5] counts HASH
    KEYS[6] unique locks ZSET
    KEYS[7] unique lock owners HASH

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] entry id
    ARGV[4] job id
    ARGV[5] queue name
    ARGV[6] updated envelope JSON
    ARGV[7] due (ms)
    ARGV[8] now (ms)
    ARGV[9] unique key ("" = none)
    ARGV[10] unique lock end (ms)

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
local queue = ARGV[5]
if tonumber(ARGV[7]) > tonumber(ARGV[8]) then
  redis.call("ZADD", KEYS[2], ARGV[7], ARGV[4])
  redis.call("HSET", KEYS[3], ARGV[4], queue .. "\n" .. ARGV[6])
  redis.call("HSET", KEYS[4], ARGV[4], "d " .. queue)
  redis.call("HINCRBY", KEYS[5], "delayed:" .. queue, 1)
else
  local entryId = redis.call("XADD", KEYS[1], "*", "job", ARGV[6])
  redis.call("HSET", KEYS[4], ARGV[4], "s " .. queue .. " " .. entryId)
end
-- The lock is extended for this job while it holds it, or taken again if it lapsed unclaimed;
-- a newer copy that took a lapsed lock keeps it.
if ARGV[9] ~= "" then
  local owner = redis.call("HGET", KEYS[7], ARGV[9])
  if owner == ARGV[4] or not owner then
    redis.call("ZADD", KEYS[6], ARGV[10], ARGV[9])
    redis.call("HSET", KEYS[7], ARGV[9], ARGV[4])
  end
end
return 1
