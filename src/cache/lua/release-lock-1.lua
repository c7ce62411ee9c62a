--[[
  Releases a stampede lock only if we still hold it: a lock that expired and
  was taken by another instance must not be deleted by the first holder.

  KEYS[1] the lock key
  ARGV[1] the token written when the lock was taken

  Output: 1 when released, 0 when the lock was not ours (or already gone).
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
