--[[
  Removes one job for good after it failed (the failed store already holds it) or was dropped:
  acks and deletes the entry, forgets its location, releases its unique lock if it still holds
  it. Only the consumer that owns the entry may do this. A job of a batch is counted in its
  batch's part on this shard in the same step, once per job id; a part's first failure and its
  completion put the batch id in the shard's batch outbox.

  Input:
    KEYS[1] stream
    KEYS[2] job index HASH
    KEYS[3] unique locks ZSET
    KEYS[4] unique lock owners HASH
    KEYS[5] batch outbox SET

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] entry id
    ARGV[4] job id
    ARGV[5] unique key ("" = none)
    ARGV[6] batch key prefix of the shard ("{prefix:shard}:batch:")
    ARGV[7] batch id ("" = none)
    ARGV[8] outcome in its batch ("f" failed, "p" dropped, which counts as processed)

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
local batchId = ARGV[7]
if batchId ~= "" then
  local part = ARGV[6] .. batchId .. ":part"
  if redis.call("EXISTS", part) == 1 and redis.call("HSETNX", ARGV[6] .. batchId .. ":jobs", ARGV[4], ARGV[8]) == 1 then
    local failed = redis.call("HINCRBY", part, ARGV[8] == "f" and "failed" or "processed", 1)
    local counts = redis.call("HMGET", part, "total", "processed", "failed", "skipped")
    local settled = tonumber(counts[2] or 0) + tonumber(counts[3] or 0) + tonumber(counts[4] or 0)
    if settled >= tonumber(counts[1] or 0) or (ARGV[8] == "f" and failed == 1) then
      redis.call("SADD", KEYS[5], batchId)
    end
  end
end
return 1
