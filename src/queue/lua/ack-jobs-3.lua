--[[
  Acknowledges finished jobs of one stream in a batch: removes them from the pending entries
  list and the stream, forgets their location and releases their unique locks.

  Input:
    KEYS[1] stream
    KEYS[2] job index HASH
    KEYS[3] unique locks ZSET

    ARGV[1] consumer group
    then 3 values per job: entry id, job id, unique key ("" = none)

  Output:
    the number of entries that were still pending
]]
local ids, jobIds, uniqueKeys = {}, {}, {}
for i = 2, #ARGV, 3 do
  ids[#ids + 1] = ARGV[i]
  jobIds[#jobIds + 1] = ARGV[i + 1]
  if ARGV[i + 2] ~= "" then
    uniqueKeys[#uniqueKeys + 1] = ARGV[i + 2]
  end
end
if #ids == 0 then
  return 0
end
local acked = redis.call("XACK", KEYS[1], ARGV[1], unpack(ids))
redis.call("XDEL", KEYS[1], unpack(ids))
redis.call("HDEL", KEYS[2], unpack(jobIds))
if #uniqueKeys > 0 then
  redis.call("ZREM", KEYS[3], unpack(uniqueKeys))
end
return acked
