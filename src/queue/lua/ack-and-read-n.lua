--[[
  Acknowledges the consumer's finished jobs, then reads new entries for it from a shard's streams
  in priority order, in one round trip, skipping every queue in the shard's paused SET. The acks
  are ack-jobs-5's for jobs outside a job batch, across the shard's streams: ack the entry, delete
  it, forget its location, release the unique lock it still holds (a batch's jobs are acked by
  ack-jobs-5 itself, which counts them). The read takes a stream only for the room the streams
  before it left in the batch, so no entry of a lower queue is taken while a higher queue could
  fill the batch (strict priority stays exact). Checking the paused SET here, in the same atomic
  step as the read, is what makes a pause take effect before the next job is taken.
  The number of keys is 4 plus the streams named (the script is registered once per count).

  Input:
    KEYS[1] job index HASH
    KEYS[2] unique locks ZSET
    KEYS[3] unique lock owners HASH
    KEYS[4] paused queue names SET
    KEYS[5..n] the shard's streams: first those to read, highest priority first, then any
               other stream an ack names

    ARGV[1] consumer group
    ARGV[2] consumer name
    ARGV[3] entries wanted at most
    ARGV[4] how many streams to read (KEYS[5] onwards), r
    ARGV[5] "1": when nothing is read, say where each read stream's group stands (for a blocking
            XREAD to wait from); "0": don't
    ARGV[6..5+r] the queue name of each stream to read, in the same order
    then the finished jobs, by stream: g (how many streams), then per stream its index in KEYS,
    n, its n entry ids and their n job ids; then, to the end, (job id, unique key) of each
    finished job that holds a unique lock
    (Ranges of ARGV go to XACK, XDEL and HDEL as they are: no Lua loop per job.)

  Output:
    { paused, since, read }
    paused: the members of the paused SET
    since:  { queue, last-delivered id, ... } of every stream read, only when ARGV[5] is "1" and
            nothing was read; else empty
    read:   XREADGROUP's reply shape: { { stream, { { id, { field, value, ... } }, ... } }, ... },
            only the streams that gave entries, in the order read
]]
local group = ARGV[1]
local reads = tonumber(ARGV[4])
local at = 6 + reads
local groups = tonumber(ARGV[at] or "0")
at = at + 1
for _ = 1, groups do
  local stream, n = KEYS[tonumber(ARGV[at])], tonumber(ARGV[at + 1])
  local ids, jobs = at + 2, at + 2 + n
  redis.call("XACK", stream, group, unpack(ARGV, ids, ids + n - 1))
  redis.call("XDEL", stream, unpack(ARGV, ids, ids + n - 1))
  redis.call("HDEL", KEYS[1], unpack(ARGV, jobs, jobs + n - 1))
  at = jobs + n
end
for i = at, #ARGV, 2 do
  if redis.call("HGET", KEYS[3], ARGV[i + 1]) == ARGV[i] then
    redis.call("ZREM", KEYS[2], ARGV[i + 1])
    redis.call("HDEL", KEYS[3], ARGV[i + 1])
  end
end

local paused = redis.call("SMEMBERS", KEYS[4])
local isPaused = {}
for _, queue in ipairs(paused) do
  isPaused[queue] = true
end

local room = tonumber(ARGV[3])
local out, readFrom = {}, {}
for i = 1, reads do
  if room <= 0 then break end
  if not isPaused[ARGV[5 + i]] then
    readFrom[#readFrom + 1] = i
    -- An empty stream has nothing to read: XLEN is far cheaper than XREADGROUP finding nothing
    -- (an empty higher-priority stream is checked on every read).
    if redis.call("XLEN", KEYS[4 + i]) > 0 then
      local reply = redis.call("XREADGROUP", "GROUP", group, ARGV[2], "COUNT", room, "STREAMS", KEYS[4 + i], ">")
      if reply and reply[1] and #reply[1][2] > 0 then
        out[#out + 1] = reply[1]
        room = room - #reply[1][2]
      end
    end
  end
end

-- Nothing waiting: every entry past the group's last-delivered id is new, so a non-consuming
-- XREAD from there wakes the reader for exactly the entries a read would take.
local since = {}
if #out == 0 and ARGV[5] == "1" then
  for _, i in ipairs(readFrom) do
    for _, info in ipairs(redis.call("XINFO", "GROUPS", KEYS[4 + i])) do
      local name, last
      for j = 1, #info, 2 do
        if info[j] == "name" then name = info[j + 1] end
        if info[j] == "last-delivered-id" then last = info[j + 1] end
      end
      if name == group then
        since[#since + 1] = ARGV[5 + i]
        since[#since + 1] = last
      end
    end
  end
end
return { paused, since, out }
