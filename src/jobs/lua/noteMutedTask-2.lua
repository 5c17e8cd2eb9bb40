--[[
  Notes a task a subscription found while its channel is muted, for the mute summary.

  Input:
    KEYS[1] mute            the channel's mute hash
    KEYS[2] heldNew         entries of new tasks held by the mute

    ARGV[1] entryJson

  Output:
    1 when noted, 0 when the channel is not muted
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
