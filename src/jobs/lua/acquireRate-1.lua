--[[
  Takes a call from a sliding one-second window shared by every process on one Redis. Times
  come from the server's clock (fractional ms) so that every process measures the same window.

  Input:
    KEYS[1] window          the quota key's sorted set of recent calls

    ARGV[1] limit           calls allowed per window
    ARGV[2] windowMs
    ARGV[3] member          a unique name for this call

  Output:
    0 when a call may go now (and records it), else the ms until the oldest call in the
    window leaves it
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
