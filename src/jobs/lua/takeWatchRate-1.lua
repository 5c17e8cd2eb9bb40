--[[
  Adds new watches to a requester's one-minute window unless that passes the limit.

  Input:
    KEYS[1] counter         the requester's count in the current window

    ARGV[1] count           how many watches this request starts
    ARGV[2] limit           how many a window may hold
    ARGV[3] windowMs        the window's length

  Output:
    0 when added; else the ms left in the window
]]
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current + tonumber(ARGV[1]) > tonumber(ARGV[2]) then
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then left = tonumber(ARGV[3]) end
  return left
end
redis.call('INCRBY', KEYS[1], ARGV[1])
if current == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 0
