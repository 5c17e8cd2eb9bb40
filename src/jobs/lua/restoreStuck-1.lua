--[[
  Gives back a taken stuck fact whose reply could not be posted: told -> owed, so a later
  try tells it.

  Input:
    KEYS[1] stuck           the watch's stuck fact

  Output:
    1
]]
if redis.call('HGET', KEYS[1], 'state') == 'told' then redis.call('HSET', KEYS[1], 'state', 'owed') end
return 1
