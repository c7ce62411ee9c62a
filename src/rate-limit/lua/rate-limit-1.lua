--[[
  One step of a rate limit, atomically: the generic cell rate algorithm (GCRA),
  N requests per window W, a request every W/N on average with bursts up to N.
  The key holds the theoretical arrival time (TAT, epoch ms): the moment the
  bucket would be empty again. Time comes from the Redis server, so API
  instances with skewed clocks count alike.

  Input:
    KEYS[1] the identity's key (one key: the script never crosses a slot)

    ARGV[1] limit N (requests per window)
    ARGV[2] window W in ms
    ARGV[3] cost: 1 takes a request, 0 only looks whether one would be allowed

  Output:
    { allowed (1 or 0), remaining requests, ms until the bucket is full again,
      ms until a request is allowed (0 when allowed) }
]]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = window / limit

local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end

-- One more request is allowed while the bucket has room for a whole interval.
local allowed_from = tat + interval - window
if now < allowed_from then
  return { 0, 0, math.ceil(tat - now), math.ceil(allowed_from - now) }
end

local after = tat + interval * cost
if cost > 0 then
  redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.ceil(after - now))
end
return { 1, math.floor((now + window - after) / interval), math.ceil(after - now), 0 }
