--[[
  Takes a channel's next send slot. Uses the server's clock so that every process paces
  against the same time.

  Input:
    KEYS[1] pace            the channel's next send time

    ARGV[1] spacingMs       least time between two sends

  Output:
    0 when the caller may send now, else how many ms to wait
]]
--- @include "includes/serverTimeMs"
local now = serverTimeMs()
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextAt > now then return nextAt - now end
redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
return 0
