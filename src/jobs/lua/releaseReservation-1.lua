--[[
  Drops a reservation (see reserveWatch-2.lua) if it is still the caller's.

  Input:
    KEYS[1] reservation

    ARGV[1] token

  Output:
    1 when dropped, 0 when it was not the caller's
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
