--[[
  Gives up telling a watch anything more, because its channel or card is gone for good or its
  deadline passed while its channel stayed unreachable: ends it (if it was not ended) without
  owing an ending, marks everything as told, and lets its record expire.

  Input:
    KEYS[1] watch           the watch hash
    KEYS[2] subscribers     the task's watch IDs
    KEYS[3] channel         the channel's watch IDs
    KEYS[4] due             the poll group's next checks
    KEYS[5] activeCount     the active-watch counter
    KEYS[6] task            the task hash

    ARGV[1] watchId
    ARGV[2] reason           the end reason, for a watch not yet ended
    ARGV[3] taskKey
    ARGV[4] watchTtlSeconds  how long the given-up watch stays
    ARGV[5] taskTtlSeconds   how long a task left without watches stays

  Output:
    1 when this call gave up on it, 0 when it was gone or given up on already
]]
--- @include "includes/settleEnding"
--- @include "includes/leaveTask"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'abandoned') == '1' then return 0 end
local reason = redis.call('HGET', KEYS[1], 'endReason')
if not reason or reason == '' then
  redis.call('HSET', KEYS[1], 'endReason', ARGV[2])
  redis.call('SREM', KEYS[2], ARGV[1])
  if redis.call('SREM', KEYS[3], ARGV[1]) == 1 then redis.call('DECR', KEYS[5]) end
  leaveTask(KEYS[2], KEYS[4], KEYS[6], ARGV[3], ARGV[5])
else
  settleEnding(KEYS[1], KEYS[6])
end
redis.call('HSET', KEYS[1], 'deliveredSeq', redis.call('HGET', KEYS[6], 'seq') or '0', 'cardSeq', redis.call('HGET', KEYS[6], 'seq') or '0',
  'endPosted', '1', 'endCarded', '1', 'abandoned', '1')
redis.call('HDEL', KEYS[1], 'claim')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
