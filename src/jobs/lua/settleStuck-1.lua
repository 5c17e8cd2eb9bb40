--[[
  Records a stuck reply told once the platform accepted it: telling -> told, the lease given
  up. Told even when this teller's lease lapsed meanwhile: the reply was posted, and a later
  teller that took the lapsed lease then finds nothing to restore. A fact that expired is not
  made again.

  Input:
    KEYS[1] stuck           the watch's stuck fact

  Output:
    1 when recorded told now; 0 when it was told already or is gone
]]
local state = redis.call('HGET', KEYS[1], 'state')
redis.call('HDEL', KEYS[1], 'claim')
if not state or state == 'told' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'told')
return 1
