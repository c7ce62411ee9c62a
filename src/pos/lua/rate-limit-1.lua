--[[
  One step of a POS connection's rate limit, atomically: a token bucket shared by every worker,
  plus a pause set when the POS answered 429. The bucket is one hash; time comes from the Redis
  server, so workers with skewed clocks agree. A caller that would wait at most ARGV[4] ms for
  its token reserves it (the bucket goes below zero) and sleeps that long; one that would wait
  longer takes nothing and is told how long to stay away.

  Input:
    KEYS[1] the connection's bucket (hash: tokens, at, pausedUntil)

    ARGV[1] operation: "take" (may I call, and when?) or "pause" (the POS said 429)
    ARGV[2] tokens per second ("take")
    ARGV[3] bucket size, the burst ("take")
    ARGV[4] longest wait in ms a caller accepts ("take"), or the pause in ms ("pause")

  Output:
    { granted (1 or 0), wait in ms, why: "ok" | "bucket" | "paused" }
    "take": granted 1 → call after the wait; granted 0 → nothing taken, come back after the wait.
    "pause": { 1, pause left in ms, "paused" }
]]
local op = ARGV[1]

local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local state = redis.call("HMGET", KEYS[1], "tokens", "at", "pausedUntil")
local pausedUntil = tonumber(state[3]) or 0

if op == "pause" then
  pausedUntil = math.max(pausedUntil, now + tonumber(ARGV[4]))
  redis.call("HSET", KEYS[1], "pausedUntil", pausedUntil)
  -- An idle connection's bucket is full anyway: keep the key only while it means something.
  redis.call("PEXPIREAT", KEYS[1], pausedUntil + 60000)
  return { 1, pausedUntil - now, "paused" }
end

local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local maxWait = tonumber(ARGV[4])

if pausedUntil > now then
  return { 0, pausedUntil - now, "paused" }
end

local tokens = tonumber(state[1])
local at = tonumber(state[2]) or now
if tokens == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
end

local wait = 0
if tokens < 1 then
  wait = math.ceil((1 - tokens) * 1000 / rate)
  if wait > maxWait then
    return { 0, wait, "bucket" }
  end
end
tokens = tokens - 1
redis.call("HSET", KEYS[1], "tokens", tostring(tokens), "at", now)
-- Past this the bucket would be full again: nothing is lost by forgetting it.
local refill = math.ceil((burst - tokens) * 1000 / rate)
redis.call("PEXPIREAT", KEYS[1], math.max(now + refill, pausedUntil) + 60000)
return { 1, wait, "ok" }
