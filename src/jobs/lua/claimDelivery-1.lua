--[[
  Claims the right to deliver to one watch. A claim held by another job and not yet expired
  refuses; the same job retried after a crash may take its own claim back.

  Input:
    KEYS[1] watch           the watch hash

    ARGV[1] claimant
    ARGV[2] realNow         epoch ms
    ARGV[3] ttlMs           how long the claim holds

  Output:
    1 when claimed
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local claim = redis.call('HGET', KEYS[1], 'claim')
if claim and claim ~= '' then
  local separator = string.find(claim, '|', 1, true)
  local owner = string.sub(claim, 1, separator - 1)
  local expires = tonumber(string.sub(claim, separator + 1))
  if owner ~= ARGV[1] and expires > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'claim', ARGV[1] .. '|' .. (tonumber(ARGV[2]) + tonumber(ARGV[3])))
return 1
