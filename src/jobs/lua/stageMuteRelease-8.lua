--[[
  Moves an ended mute's held entries to staging copies, so that building and posting the
  summary can be retried after a crash or a refused post without losing anything held.

  Input:
    KEYS[1] mute            the channel's mute hash
    KEYS[2] heldWatches
    KEYS[3] heldJobs
    KEYS[4] heldNew
    KEYS[5] stagedWatches
    KEYS[6] stagedJobs
    KEYS[7] stagedNew
    KEYS[8] stagedMute      when the staged silence began and ended

    ARGV[1] now             epoch ms (engine clock)

  Output:
    1 when staging holds a release to finish, 0 when the channel is still muted or nothing is staged
]]
local untilText = redis.call('HGET', KEYS[1], 'until')
if untilText then
  if tonumber(untilText) > tonumber(ARGV[1]) then return 0 end
  redis.call('SUNIONSTORE', KEYS[5], KEYS[5], KEYS[2])
  redis.call('SUNIONSTORE', KEYS[6], KEYS[6], KEYS[3])
  while redis.call('LMOVE', KEYS[4], KEYS[7], 'LEFT', 'RIGHT') do end
  if redis.call('EXISTS', KEYS[8]) == 0 then
    redis.call('HSET', KEYS[8], 'mutedAt', redis.call('HGET', KEYS[1], 'mutedAt') or ARGV[1], 'endedAt', ARGV[1])
  end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
end
return redis.call('EXISTS', KEYS[8])
