--[[
  Asked before each delivery: while the channel is muted, notes the watch and its job as held
  and says how long to wait before asking again.

  Input:
    KEYS[1] mute            the channel's mute hash
    KEYS[2] heldWatches     watch IDs held by the mute
    KEYS[3] heldJobs        delivery job IDs held by the mute

    ARGV[1] watchId
    ARGV[2] jobId           '' for none
    ARGV[3] now             epoch ms (engine clock)
    ARGV[4] minMs           least pause
    ARGV[5] maxMs           longest pause, so an early unmute is never waited out

  Output:
    ms to hold, 0 when the channel is not muted
]]
local untilText = redis.call('HGET', KEYS[1], 'until')
if not untilText then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
if ARGV[2] ~= '' then redis.call('SADD', KEYS[3], ARGV[2]) end
local wait = tonumber(untilText) - tonumber(ARGV[3])
if wait < tonumber(ARGV[4]) then wait = tonumber(ARGV[4]) end
if wait > tonumber(ARGV[5]) then wait = tonumber(ARGV[5]) end
return math.floor(wait)
