--[[
  Adds jobs of one queue and shard: straight into the stream, or into the delayed set when due
  later. Jobs with a unique key are refused while their unique lock is held.

  Input:
    KEYS[1] stream of the queue
    KEYS[2] delayed ZSET (jobId -> due ms)
    KEYS[3] delayed jobs HASH (jobId -> "queue\n" .. envelope JSON)
    KEYS[4] job index HASH (jobId -> location)
    KEYS[5] unique locks ZSET (uniqueKey -> lock end ms)
    KEYS[6] counts HASH ("delayed:<queue>" -> n)
    KEYS[7] unique lock owners HASH (uniqueKey -> jobId holding the lock)

    ARGV[1] now (ms)
    ARGV[2] queue name
    then 5 values per job:
      jobId, envelope JSON, due (ms; 0 = now), unique key ("" = none), unique lock end (ms)

  Output:
    one value per job: the stream entry id, "delayed", or -1 (DuplicateJob)
]]
local now = tonumber(ARGV[1])
local queue = ARGV[2]
local results = {}
local cleaned = false
for i = 3, #ARGV, 5 do
  local jobId = ARGV[i]
  local envelope = ARGV[i + 1]
  local due = tonumber(ARGV[i + 2])
  local uniqueKey = ARGV[i + 3]
  local refused = false
  if uniqueKey ~= "" then
    -- Locks of jobs that vanished without an ack lapse; drop them here rather than on an idle tick.
    if not cleaned then
      local lapsed = redis.call("ZRANGEBYSCORE", KEYS[5], "-inf", now, "LIMIT", 0, 1000)
      if #lapsed > 0 then
        redis.call("ZREM", KEYS[5], unpack(lapsed))
        redis.call("HDEL", KEYS[7], unpack(lapsed))
      end
      cleaned = true
    end
    local lockEnd = redis.call("ZSCORE", KEYS[5], uniqueKey)
    if lockEnd and tonumber(lockEnd) > now then
      refused = true
    else
      redis.call("ZADD", KEYS[5], ARGV[i + 4], uniqueKey)
      redis.call("HSET", KEYS[7], uniqueKey, jobId)
    end
  end
  if refused then
    results[#results + 1] = -1
  elseif due > now then
    redis.call("ZADD", KEYS[2], due, jobId)
    redis.call("HSET", KEYS[3], jobId, queue .. "\n" .. envelope)
    redis.call("HSET", KEYS[4], jobId, "d " .. queue)
    redis.call("HINCRBY", KEYS[6], "delayed:" .. queue, 1)
    results[#results + 1] = "delayed"
  else
    local entryId = redis.call("XADD", KEYS[1], "*", "job", envelope)
    redis.call("HSET", KEYS[4], jobId, "s " .. queue .. " " .. entryId)
    results[#results + 1] = entryId
  end
end
return results
