--[[
  Cancels a batch that has not finished: its jobs that have not started yet are skipped.

  Input:
    KEYS[1] batch record HASH

    ARGV[1] now (ms)

  Output:
    1 (cancelled now), 0 (it had already finished or been cancelled), -4 (BatchNotFound)
]]
if redis.call("EXISTS", KEYS[1]) == 0 then
  return -4
end
if redis.call("HEXISTS", KEYS[1], "finishedAt") == 1 then
  return 0
end
return redis.call("HSETNX", KEYS[1], "cancelledAt", ARGV[1])
