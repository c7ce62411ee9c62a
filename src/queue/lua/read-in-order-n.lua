--[[
  Reads new entries for one consumer from a shard's streams in priority order, in one round trip:
  a stream is read only for the room the streams before it left in the batch, so no entry of a
  lower queue is taken while a higher queue could fill the batch (strict priority stays exact).
  The number of keys is the number of queues read (the script is registered once per count).

  Input:
    KEYS[1..n] the streams, highest priority first

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] entries wanted at most

  Output:
    XREADGROUP's reply shape: { { stream, { { id, { field, value, ... } }, ... } }, ... },
    only the streams that gave entries, in the order read
]]
local room = tonumber(ARGV[3])
local out = {}
for i = 1, #KEYS do
  if room <= 0 then break end
  local reply = redis.call("XREADGROUP", "GROUP", ARGV[1], ARGV[2], "COUNT", room, "STREAMS", KEYS[i], ">")
  if reply and reply[1] and #reply[1][2] > 0 then
    out[#out + 1] = reply[1]
    room = room - #reply[1][2]
  end
end
return out
