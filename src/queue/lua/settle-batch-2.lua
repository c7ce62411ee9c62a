--[[
  Settles a batch on its home shard from one shard's part: records that part's counts (each only
  ever grows, so a late or repeated report cannot lower them), sums every part, and on the first
  failure and on completion dispatches the batch's callback jobs into the home shard's streams.
  Each callback fires at most once: the flag that says it fired is set in the same step.
  A first failure cancels the batch unless it allows failures.

  Input:
    KEYS[1] batch record HASH
    KEYS[2] job index HASH of the home shard

    ARGV[1] stream key prefix of the home shard ("{prefix:shard}:stream:")
    ARGV[2] the reporting shard
    ARGV[3] processed jobs of that shard's part
    ARGV[4] failed jobs of that shard's part
    ARGV[5] skipped jobs of that shard's part
    ARGV[6] now (ms)
    ARGV[7] seconds to keep the record once the batch finished

  Output:
    -4 (BatchNotFound), or { 1 if the batch finished in this call else 0, fired callback kinds... }
]]
if redis.call("EXISTS", KEYS[1]) == 0 then
  return -4
end
local now = ARGV[6]
local shard = ARGV[2]
local function grow(field, value)
  local old = tonumber(redis.call("HGET", KEYS[1], field) or "0")
  if tonumber(value) > old then
    redis.call("HSET", KEYS[1], field, value)
  end
end
grow("p:" .. shard, ARGV[3])
grow("f:" .. shard, ARGV[4])
grow("s:" .. shard, ARGV[5])

local record = redis.call("HMGET", KEYS[1], "total", "shards", "allowFailures", "cancelledAt", "finishedAt", "caught")
local total = tonumber(record[1])
local processed, failed, skipped = 0, 0, 0
for s in string.gmatch(record[2], "[^,]+") do
  local counts = redis.call("HMGET", KEYS[1], "p:" .. s, "f:" .. s, "s:" .. s)
  processed = processed + tonumber(counts[1] or "0")
  failed = failed + tonumber(counts[2] or "0")
  skipped = skipped + tonumber(counts[3] or "0")
end

local out = { 0 }
local function fire(kind)
  local callback = redis.call("HMGET", KEYS[1], kind .. ":queue", kind .. ":id", kind .. ":job")
  if not callback[1] then
    return
  end
  -- The envelope was stored open-ended; it becomes available (and its wait starts) now.
  local envelope = callback[3] .. ',"createdAt":' .. now .. "}"
  local entryId = redis.call("XADD", ARGV[1] .. callback[1], "*", "job", envelope)
  redis.call("HSET", KEYS[2], callback[2], "s " .. callback[1] .. " " .. entryId)
  out[#out + 1] = kind
end

local cancelled = record[4]
if failed > 0 and not record[6] then
  redis.call("HSET", KEYS[1], "caught", now)
  fire("catch")
  if record[3] ~= "1" and not cancelled then
    redis.call("HSET", KEYS[1], "cancelledAt", now)
    cancelled = now
  end
end
if processed + failed + skipped >= total and not record[5] then
  redis.call("HSET", KEYS[1], "finishedAt", now)
  out[1] = 1
  if not cancelled and (failed == 0 or record[3] == "1") then
    fire("then")
  end
  fire("finally")
  redis.call("EXPIRE", KEYS[1], ARGV[7])
end
return out
