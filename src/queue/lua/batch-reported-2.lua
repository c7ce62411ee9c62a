--[[
  Takes a batch id out of a shard's batch outbox once its home shard has the part's counts: only
  if nothing settled on this shard since they were read, otherwise it stays for another round.

  Input:
    KEYS[1] the batch's part HASH on this shard
    KEYS[2] batch outbox SET of this shard

    ARGV[1] batch id
    ARGV[2] processed + failed + skipped as reported to the home shard

  Output:
    1 (taken out), 0 (more settled meanwhile; it stays)
]]
local counts = redis.call("HMGET", KEYS[1], "processed", "failed", "skipped")
local settled = tonumber(counts[1] or "0") + tonumber(counts[2] or "0") + tonumber(counts[3] or "0")
if settled ~= tonumber(ARGV[2]) then
  return 0
end
redis.call("SREM", KEYS[2], ARGV[1])
return 1
