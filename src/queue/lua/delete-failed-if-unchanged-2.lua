--[[
  Deletes failed-job records only if each is still the failure that was read: a job that was
  retried and has already failed again keeps its new record.

  Input:
    KEYS[1] failed ZSET (jobId scored by failedAt)
    KEYS[2] failed jobs HASH (jobId -> record)

    ARGV[1..] pairs: jobId, failedAt (ms) as read

  Output:
    how many records were deleted
]]
local deleted = 0
for i = 1, #ARGV, 2 do
  local score = redis.call("ZSCORE", KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    redis.call("ZREM", KEYS[1], ARGV[i])
    redis.call("HDEL", KEYS[2], ARGV[i])
    deleted = deleted + 1
  end
end
return deleted
