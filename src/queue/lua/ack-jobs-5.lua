--[[
  Acknowledges finished jobs of one stream in a batch: removes them from the pending entries
  list and the stream, forgets their location and releases the unique locks they still hold (a
  lock that lapsed and was taken by a newer copy stays with that copy). A job that belongs to a
  job batch is counted in its batch's part on this shard in the same step, once per job id: a
  redelivered or twice-acked job is not counted again. When the part completes, its batch id goes
  to the shard's batch outbox for the home shard to settle.

  Input:
    KEYS[1] stream
    KEYS[2] job index HASH
    KEYS[3] unique locks ZSET
    KEYS[4] unique lock owners HASH
    KEYS[5] batch outbox SET (batch ids with news for their home shard)

    ARGV[1] consumer group
    ARGV[2] batch key prefix of the shard ("{prefix:shard}:batch:")
    then 5 values per job: entry id, job id, unique key ("" = none), batch id ("" = none),
      outcome in its batch ("p" processed, "s" skipped because the batch was cancelled)

  Output:
    the number of entries that were still pending
]]
local ids, jobIds = {}, {}
for i = 3, #ARGV, 5 do
  ids[#ids + 1] = ARGV[i]
  jobIds[#jobIds + 1] = ARGV[i + 1]
  local uniqueKey = ARGV[i + 2]
  if uniqueKey ~= "" and redis.call("HGET", KEYS[4], uniqueKey) == ARGV[i + 1] then
    redis.call("ZREM", KEYS[3], uniqueKey)
    redis.call("HDEL", KEYS[4], uniqueKey)
  end
  local batchId = ARGV[i + 3]
  if batchId ~= "" then
    local part = ARGV[2] .. batchId .. ":part"
    if redis.call("EXISTS", part) == 1 and redis.call("HSETNX", ARGV[2] .. batchId .. ":jobs", ARGV[i + 1], ARGV[i + 4]) == 1 then
      redis.call("HINCRBY", part, ARGV[i + 4] == "s" and "skipped" or "processed", 1)
      local counts = redis.call("HMGET", part, "total", "processed", "failed", "skipped")
      local settled = tonumber(counts[2] or 0) + tonumber(counts[3] or 0) + tonumber(counts[4] or 0)
      if settled >= tonumber(counts[1] or 0) then
        redis.call("SADD", KEYS[5], batchId)
      end
    end
  end
end
if #ids == 0 then
  return 0
end
local acked = redis.call("XACK", KEYS[1], ARGV[1], unpack(ids))
redis.call("XDEL", KEYS[1], unpack(ids))
redis.call("HDEL", KEYS[2], unpack(jobIds))
return acked
