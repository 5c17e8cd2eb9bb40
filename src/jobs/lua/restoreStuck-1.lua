--[[
  Gives back a taken stuck fact whose reply could not be posted: telling -> owed, so a later
  try tells it. Only the claimant's own lease: a fact told meanwhile, or taken by another
  teller after this one's lease lapsed, is left as it is.

  Input:
    KEYS[1] stuck           the watch's stuck fact

    ARGV[1] claimant        who took it

  Output:
    1 when given back; 0 otherwise
]]
local fields = redis.call('HMGET', KEYS[1], 'state', 'claim')
if fields[1] ~= 'telling' or not fields[2] or string.sub(fields[2], 1, #ARGV[1] + 1) ~= ARGV[1] .. '|' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'owed')
redis.call('HDEL', KEYS[1], 'claim')
return 1
