--[[
  Acknowledges the consumer's finished jobs, then reads new entries for it from a shard's streams
  in priority order, in one round trip. The acks are ack-jobs-5's for jobs outside a job batch,
  across the shard's streams: ack the entry, delete it, forget its location, release the unique
  lock it still holds (a batch's jobs are acked by ack-jobs-5 itself, which counts them). The
  read takes a stream only for the room the streams before it left in the batch, so no entry of
  a lower queue is taken while a higher queue could fill the batch (strict priority stays exact).
  The number of keys is 3 plus the streams named (the script is registered once per count).

  Input:
    KEYS[1] job index HASH
    KEYS[2] unique locks ZSET
    KEYS[3] unique lock owners HASH
    KEYS[4..n] the shard's streams: first those to read, highest priority first, then any
               other stream an ack names

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] entries wanted at most
    ARGV[4] how many streams to read (KEYS[4] onwards)
    then 4 values per finished job: its stream's index in KEYS, entry id, job id,
    unique key ("" = none)

  Output:
    XREADGROUP's reply shape: { { stream, { { id, { field, value, ... } }, ... } }, ... },
    only the streams that gave entries, in the order read
]]
local group = ARGV[1]
local entries, jobIds = {}, {}
for i = 5, #ARGV, 4 do
  local stream = tonumber(ARGV[i])
  entries[stream] = entries[stream] or {}
  table.insert(entries[stream], ARGV[i + 1])
  jobIds[#jobIds + 1] = ARGV[i + 2]
  local uniqueKey = ARGV[i + 3]
  if uniqueKey ~= "" and redis.call("HGET", KEYS[3], uniqueKey) == ARGV[i + 2] then
    redis.call("ZREM", KEYS[2], uniqueKey)
    redis.call("HDEL", KEYS[3], uniqueKey)
  end
end
for stream, ids in pairs(entries) do
  redis.call("XACK", KEYS[stream], group, unpack(ids))
  redis.call("XDEL", KEYS[stream], unpack(ids))
end
if #jobIds > 0 then
  redis.call("HDEL", KEYS[1], unpack(jobIds))
end

local room = tonumber(ARGV[3])
local out = {}
for i = 4, 3 + tonumber(ARGV[4]) do
  if room <= 0 then break end
  local reply = redis.call("XREADGROUP", "GROUP", group, ARGV[2], "COUNT", room, "STREAMS", KEYS[i], ">")
  if reply and reply[1] and #reply[1][2] > 0 then
    out[#out + 1] = reply[1]
    room = room - #reply[1][2]
  end
end
return out
