--[[
  Moves delayed jobs whose due time has come into their queue's stream. Streams are addressed
  from the shard's stream key prefix; they carry the same hash tag as the KEYS, so the script
  stays in one cluster slot.

  Input:
    KEYS[1] delayed ZSET (jobId -> due ms)
    KEYS[2] delayed jobs HASH (jobId -> "queue\n" .. envelope JSON)
    KEYS[3] job index HASH
    KEYS[4] counts HASH

    ARGV[1] now (ms)
    ARGV[2] most jobs to move in this call
    ARGV[3] stream key prefix of the shard ("{prefix:shard}:stream:")

  Output:
    { moved, due time (ms) of the next delayed job or -1 }
]]
local now = tonumber(ARGV[1])
-- The common idle case costs one read: nothing is due yet.
local head = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
if not head[2] then
  return { 0, -1 }
end
if tonumber(head[2]) > now then
  return { 0, tonumber(head[2]) }
end
local due = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", now, "LIMIT", 0, tonumber(ARGV[2]))
local moved = 0
for _, jobId in ipairs(due) do
  local stored = redis.call("HGET", KEYS[2], jobId)
  if stored then
    local newline = string.find(stored, "\n", 1, true)
    local queue = string.sub(stored, 1, newline - 1)
    local entryId = redis.call("XADD", ARGV[3] .. queue, "*", "job", string.sub(stored, newline + 1))
    redis.call("HSET", KEYS[3], jobId, "s " .. queue .. " " .. entryId)
    redis.call("HINCRBY", KEYS[4], "delayed:" .. queue, -1)
    redis.call("HDEL", KEYS[2], jobId)
    moved = moved + 1
  end
  redis.call("ZREM", KEYS[1], jobId)
end
local nextDue = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
if nextDue[2] then
  return { moved, tonumber(nextDue[2]) }
end
return { moved, -1 }
