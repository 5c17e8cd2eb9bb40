--[[
  Records one ending into a group's sample of durations, once per task: a task already in the
  sample (two overlapping sweeps both saw it end) is not counted twice.

  Input:
    KEYS[1] sample          the group's list of endings, newest first
    KEYS[2] groups          index of groups, scored by last use (epoch ms)
    KEYS[3] start           the task's "first seen pending" marker

    ARGV[1] entryJson       the ending, JSON starting with {"k":"<ending key>"
    ARGV[2] endingKey       which task ended (hex)
    ARGV[3] sampleSize      endings kept per group
    ARGV[4] ttlSeconds      how long a sample outlives its last use
    ARGV[5] groupJson       the group, as the index stores it
    ARGV[6] now             real time, epoch ms

  Output:
    1 when recorded; 0 when it was already there
]]
local needle = '{"k":' .. cjson.encode(ARGV[2]) .. ','
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if string.sub(raw, 1, string.len(needle)) == needle then
    redis.call('DEL', KEYS[3])
    return 0
  end
end
local ttl = tonumber(ARGV[4])
local now = tonumber(ARGV[6])
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ttl * 1000)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('DEL', KEYS[3])
return 1
