--[[
  Takes a channel out of the mutes index once its release finished, unless it was muted again
  meanwhile.

  Input:
    KEYS[1] mutes           channel -> when its mute ends
    KEYS[2] mute            the channel's mute hash

    ARGV[1] channel

  Output:
    1 when removed
]]
if redis.call('EXISTS', KEYS[2]) == 0 then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
