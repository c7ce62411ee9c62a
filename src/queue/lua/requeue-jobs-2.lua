--[[
  Hands entries this consumer read but never started back to the queue (a draining worker's
  local buffer): each is copied to a new entry at the stream's tail and the old one is acked and
  deleted, so other workers get it at once instead of after the stall threshold.

  Input:
    KEYS[1] stream
    KEYS[2] job index HASH

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] queue name
    then 2 values per job: entry id, job id

  Output:
    the number of entries handed back
]]
local moved = 0
for i = 4, #ARGV, 2 do
  local entryId = ARGV[i]
  local pending = redis.call("XPENDING", KEYS[1], ARGV[1], entryId, entryId, 1)
  if #pending > 0 and pending[1][2] == ARGV[2] then
    local entries = redis.call("XRANGE", KEYS[1], entryId, entryId)
    if #entries > 0 then
      local newId = redis.call("XADD", KEYS[1], "*", unpack(entries[1][2]))
      redis.call("HSET", KEYS[2], ARGV[i + 1], "s " .. ARGV[3] .. " " .. newId)
      moved = moved + 1
    end
    redis.call("XACK", KEYS[1], ARGV[1], entryId)
    redis.call("XDEL", KEYS[1], entryId)
  end
end
return moved
