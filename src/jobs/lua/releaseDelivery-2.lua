--[[
  Releases a delivery claim, optionally recording what was delivered (an empty value removes
  the field). Recording `endPosted` = '1' settles the watch's owed ending (see settleEnding).

  Input:
    KEYS[1] watch           the watch hash
    KEYS[2] task            the task hash (read only when `endPosted` is recorded)

    ARGV[1]    claimant
    ARGV[2...] fields       field/value pairs to record

  Output:
    1 when the claim was the claimant's
]]
--- @include "includes/settleEnding"
local claim = redis.call('HGET', KEYS[1], 'claim')
if not claim or string.sub(claim, 1, string.len(ARGV[1]) + 1) ~= ARGV[1] .. '|' then return 0 end
redis.call('HDEL', KEYS[1], 'claim')
for index = 2, #ARGV, 2 do
  if ARGV[index] == 'endPosted' and ARGV[index + 1] == '1' then settleEnding(KEYS[1], KEYS[2]) end
end
for index = 2, #ARGV, 2 do
  if ARGV[index + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[index]) else redis.call('HSET', KEYS[1], ARGV[index], ARGV[index + 1]) end
end
return 1
