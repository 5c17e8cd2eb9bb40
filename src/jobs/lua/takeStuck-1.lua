--[[
  Takes an owed stuck fact to tell it: owed -> telling, under a lease held by the claimant, so
  two workers never both tell it. The lease (`<claimant>|<expires>`) expires by itself: a
  teller that died before its post was recorded (settleStuck-1.lua) leaves the fact telling,
  and it is taken again by the same claimant at once (its delivery job, run again after the
  worker died) or by any claimant once the lease lapsed.

  Input:
    KEYS[1] stuck           the watch's stuck fact

    ARGV[1] claimant        who tells it (the delivery job)
    ARGV[2] realNow         epoch ms
    ARGV[3] ttlMs           how long the lease holds

  Output:
    the facts JSON, or nil when nothing is owed or another teller's lease is live
]]
--- @include "includes/claimIsLive"
local fields = redis.call('HMGET', KEYS[1], 'state', 'claim', 'facts')
local state, claim = fields[1], fields[2]
if state == 'telling' then
  local own = claim and string.sub(claim, 1, #ARGV[1] + 1) == ARGV[1] .. '|'
  if not own and claimIsLive(claim, ARGV[2]) then return false end
elseif state ~= 'owed' then
  return false
end
redis.call('HSET', KEYS[1], 'state', 'telling', 'claim', ARGV[1] .. '|' .. (tonumber(ARGV[2]) + tonumber(ARGV[3])))
return fields[3]
