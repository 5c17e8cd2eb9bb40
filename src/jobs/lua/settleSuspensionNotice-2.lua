--[[
  Ends a claim of a suspension notice: when it was told, the subscription leaves the untold
  set; either way the claim is given up, if it is still this claimant's.

  Input:
    KEYS[1] untold          subscription IDs whose channel has not been told of a suspension
    KEYS[2] claim           the subscription's notice claim

    ARGV[1] id              the subscription ID
    ARGV[2] claimant        who held the claim
    ARGV[3] told            '1' when the notice was posted

  Output:
    1
]]
if ARGV[3] == '1' then redis.call('SREM', KEYS[1], ARGV[1]) end
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 1
