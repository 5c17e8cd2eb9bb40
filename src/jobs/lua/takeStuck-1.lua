--[[
  Takes an owed stuck fact to tell it: owed -> told in one step, so two workers never both
  tell it.

  Input:
    KEYS[1] stuck           the watch's stuck fact

  Output:
    the facts JSON, or nil when nothing is owed
]]
if redis.call('HGET', KEYS[1], 'state') ~= 'owed' then return false end
redis.call('HSET', KEYS[1], 'state', 'told')
return redis.call('HGET', KEYS[1], 'facts')
