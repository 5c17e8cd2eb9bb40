--[[
  Lets a watch's record expire once it is finished: ended, its ending told and shown on its
  card. Checked here, not by the caller, because a re-watch may have revived it in between.

  Input:
    KEYS[1] watch           the watch hash

    ARGV[1] ttlSeconds

  Output:
    1 when it will expire
]]
local reason = redis.call('HGET', KEYS[1], 'endReason')
if not reason or reason == '' then return 0 end
if redis.call('HGET', KEYS[1], 'endPosted') ~= '1' or redis.call('HGET', KEYS[1], 'endCarded') ~= '1' then return 0 end
return redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
