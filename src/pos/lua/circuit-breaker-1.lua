--[[
  One step of a POS circuit breaker, atomically. The breaker's state is the
  JSON cache entry pos:connection:{restaurant_id}:{pos_type}; every write
  renews its TTL. Time comes from the Redis server, so workers with skewed
  clocks agree on when a cool-down ends.

  Input:
    KEYS[1] the breaker's cache entry

    ARGV[1] operation: "acquire" (may I call?), "success" or "failure"
    ARGV[2] consecutive failures that open the breaker
    ARGV[3] cool-down in ms before a probe is allowed
    ARGV[4] ms after which an unanswered probe is presumed lost and another is allowed
    ARGV[5] TTL of the entry in seconds
    ARGV[6] the failure's message ("failure" only)

  Output:
    { allowed (1 or 0), retry after ms (0 when allowed), the state as JSON }
]]
local op = ARGV[1]
local threshold = tonumber(ARGV[2])
local cooldown = tonumber(ARGV[3])
local probeTimeout = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])

local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local function num(value)
  if value == nil or value == cjson.null then
    return nil
  end
  return tonumber(value)
end

local raw = redis.call("GET", KEYS[1])
local s = raw and cjson.decode(raw) or { state = "closed", failures = 0 }
local openedAt = num(s.openedAt)
local probeStartedAt = num(s.probeStartedAt)

local function save()
  local encoded = cjson.encode({
    state = s.state,
    failures = s.failures,
    openedAt = openedAt or cjson.null,
    probeStartedAt = probeStartedAt or cjson.null,
    lastError = s.lastError or cjson.null,
    lastSuccessAt = s.lastSuccessAt or cjson.null,
  })
  redis.call("SET", KEYS[1], encoded, "EX", ttl)
  return encoded
end

if op == "acquire" then
  if s.state == "open" then
    if now - openedAt < cooldown then
      return { 0, openedAt + cooldown - now, raw }
    end
    -- The cool-down is over: this caller becomes the one probe.
    s.state = "half_open"
    probeStartedAt = now
    return { 1, 0, save() }
  end
  if s.state == "half_open" then
    if probeStartedAt ~= nil and now - probeStartedAt < probeTimeout then
      return { 0, cooldown, raw }
    end
    -- The previous probe never reported back (its worker died): let this caller probe instead.
    probeStartedAt = now
    return { 1, 0, save() }
  end
  return { 1, 0, raw or cjson.encode(s) }
end

if op == "success" then
  s.state = "closed"
  s.failures = 0
  s.lastSuccessAt = now
  openedAt = nil
  probeStartedAt = nil
  return { 1, 0, save() }
end

-- op == "failure"
s.failures = (tonumber(s.failures) or 0) + 1
s.lastError = ARGV[6]
if s.state == "half_open" or (s.state == "closed" and s.failures >= threshold) then
  s.state = "open"
  openedAt = now
  probeStartedAt = nil
end
-- Already open: a call that started before the breaker opened failed late; the cool-down is not extended.
return { 0, 0, save() }
