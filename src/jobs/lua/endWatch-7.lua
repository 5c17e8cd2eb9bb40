--[[
  Ends one watch unless it has already ended, and stops polling the task when it was the last.
  The task counts the endings not yet posted: the watch leaves the subscribers at once, but its
  last reply still needs the task's past statuses, so no history is trimmed while any is owed.

  Input:
    KEYS[1] watch           the watch hash
    KEYS[2] subscribers     the task's watch IDs
    KEYS[3] channel         the channel's watch IDs
    KEYS[4] outbox
    KEYS[5] due             the poll group's next checks
    KEYS[6] activeCount     the active-watch counter
    KEYS[7] task            the task hash

    ARGV[1] watchId
    ARGV[2] reason          the end reason
    ARGV[3] message         why, as facts in JSON (`watch-end-facts.ts`); empty when none
    ARGV[4] realNow         epoch ms
    ARGV[5] taskKey
    ARGV[6] taskTtlSeconds  how long a task left without watches stays

  Output:
    1 when this call ended it
]]
--- @include "includes/noteOutbox"
--- @include "includes/leaveTask"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local reason = redis.call('HGET', KEYS[1], 'endReason')
if reason and reason ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'endReason', ARGV[2], 'endMessage', ARGV[3])
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('SREM', KEYS[3], ARGV[1]) == 1 then redis.call('DECR', KEYS[6]) end
noteOutbox(KEYS[4], ARGV[1], ARGV[4])
if redis.call('EXISTS', KEYS[7]) == 1 then redis.call('HINCRBY', KEYS[7], 'endingsOwed', 1) end
leaveTask(KEYS[2], KEYS[5], KEYS[7], ARGV[5], ARGV[6])
return 1
