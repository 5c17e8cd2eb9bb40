--[[
  Pushes a channel's next send slot back by at least `holdMs` (a 429's Retry-After).

  Input:
    KEYS[1] pace            the channel's next send time

    ARGV[1] holdMs

  Output:
    the time (server clock, epoch ms) the channel is held until
]]
--- @include "includes/serverTimeMs"
local now = serverTimeMs()
local holdUntil = now + tonumber(ARGV[1])
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if holdUntil > nextAt then redis.call('SET', KEYS[1], holdUntil, 'PX', tonumber(ARGV[1]) + 60000) end
return holdUntil
