--[[
  Reads new entries for one consumer from a shard's streams in priority order, in one round trip,
  skipping paused queues: the pause check and the read are one atomic step, so no job of a queue
  paused before this ran is taken. A stream is read only for the room the streams before it left
  in the batch, so no entry of a lower queue is taken while a higher queue could fill the batch
  (strict priority stays exact). The number of keys is 1 + the number of queues read (the script
  is registered once per count).

  Input:
    KEYS[1]      the shard's SET of paused queue names
    KEYS[2..n+1] the streams, highest priority first

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] entries wanted at most
    ARGV[4..n+3] the queue name of each stream, in the same order

  Output:
    { paused, entries, lastDelivered }
    paused: the paused queue names
    entries: XREADGROUP's reply shape { { stream, { { id, { field, value, ... } }, ... } }, ... },
      only the streams that gave entries, in the order read
    lastDelivered: when nothing was read, the group's last-delivered id per stream ("" for a
      paused one), for a blocking XREAD that wakes on the next new entry; else empty
]]
local paused = redis.call("SMEMBERS", KEYS[1])
local isPaused = {}
for _, queue in ipairs(paused) do
  isPaused[queue] = true
end

local room = tonumber(ARGV[3])
local out = {}
for i = 2, #KEYS do
  if room <= 0 then break end
  if not isPaused[ARGV[i + 2]] then
    local reply = redis.call("XREADGROUP", "GROUP", ARGV[1], ARGV[2], "COUNT", room, "STREAMS", KEYS[i], ">")
    if reply and reply[1] and #reply[1][2] > 0 then
      out[#out + 1] = reply[1]
      room = room - #reply[1][2]
    end
  end
end

local last = {}
if #out == 0 then
  for i = 2, #KEYS do
    local id = ""
    if not isPaused[ARGV[i + 2]] then
      for _, group in ipairs(redis.call("XINFO", "GROUPS", KEYS[i])) do
        local name, delivered
        for j = 1, #group, 2 do
          if group[j] == "name" then name = group[j + 1] end
          if group[j] == "last-delivered-id" then delivered = group[j + 1] end
        end
        if name == ARGV[1] then id = delivered end
      end
    end
    last[#last + 1] = id
  end
end
return { paused, out, last }
