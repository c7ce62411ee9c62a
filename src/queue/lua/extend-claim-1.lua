--[[
  Resets the idle time of entries this consumer still owns, so stall recovery leaves them alone.
  Entries another consumer has reclaimed are not touched.

  Input:
    KEYS[1] stream

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3..] entry ids

  Output:
    the entry ids still owned (and now fresh)
]]
local owned = {}
for i = 3, #ARGV do
  local pending = redis.call("XPENDING", KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #pending > 0 and pending[1][2] == ARGV[2] then
    owned[#owned + 1] = ARGV[i]
  end
end
if #owned > 0 then
  -- JUSTID keeps the delivery count as it is, so long work is never mistaken for poison.
  local args = { "XCLAIM", KEYS[1], ARGV[1], ARGV[2], 0 }
  for _, id in ipairs(owned) do
    args[#args + 1] = id
  end
  args[#args + 1] = "JUSTID"
  redis.call(unpack(args))
end
return owned
