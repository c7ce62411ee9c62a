--[[
  Acknowledges finished jobs of one stream in a batch: removes them from the pending entries
  list and the stream, forgets their location and releases the unique locks they still hold (a
  lock that lapsed and was taken by a newer copy stays with that copy).

  Input:
    KEYS[1] stream
    KEYS[2] job index HASH
    KEYS[3] unique locks ZSET
    KEYS[4] unique lock owners HASH

    ARGV[1] consumer group
    then 3 values per job: entry id, job id, unique key ("" = none)

  Output:
    the number of entries that were still pending
]]
local ids, jobIds = {}, {}
for i = 2, #ARGV, 3 do
  ids[#ids + 1] = ARGV[i]
  jobIds[#jobIds + 1] = ARGV[i + 1]
  local uniqueKey = ARGV[i + 2]
  if uniqueKey ~= "" and redis.call("HGET", KEYS[4], uniqueKey) == ARGV[i + 1] then
    redis.call("ZREM", KEYS[3], uniqueKey)
    redis.call("HDEL", KEYS[4], uniqueKey)
  end
end
if #ids == 0 then
  return 0
end
local acked = redis.call("XACK", KEYS[1], ARGV[1], unpack(ids))
redis.call("XDEL", KEYS[1], unpack(ids))
redis.call("HDEL", KEYS[2], unpack(jobIds))
return acked
