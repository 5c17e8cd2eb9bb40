--[[
  Records a change of a task and notes every current subscriber in the outbox, atomically, so a
  subscriber joining at the same moment either sees the change on its card or is told of it.
  The status it replaces moves to the history (a subscriber not yet told needs it as its
  "previous"); the current status is kept once, on the task. Updates a version-1 task in place.
  With an expected seq it is a compare-and-set: when the task's seq has moved on, it records
  nothing and returns { -1 }, so a sweep that decided on a stale record can re-decide.

  Input:
    KEYS[1] task            the task hash
    KEYS[2] history         seq -> past status
    KEYS[3] subscribers     the task's watch IDs
    KEYS[4] outbox
    KEYS[5] status          the current status

    ARGV[1] encodedStatus
    ARGV[2] historyKeep     most past statuses kept
    ARGV[3] realNow         epoch ms
    ARGV[4] everFound       '1' when the task was ever found
    ARGV[5] version         record version written
    ARGV[6] expectedSeq     '' for none

  Output:
    { seq, watchIds... }, or { -1 } when the expected seq did not hold
]]
--- @include "includes/noteOutbox"
if ARGV[6] ~= nil and ARGV[6] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') ~= tonumber(ARGV[6]) then return { -1 } end
local replaced = redis.call('GET', KEYS[5])
if not replaced then replaced = redis.call('HGET', KEYS[1], 'status') end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
if replaced and replaced ~= '' and seq > 1 then redis.call('HSET', KEYS[2], seq - 1, replaced) end
redis.call('SET', KEYS[5], ARGV[1])
-- Version 1 kept the status in the task hash; version 2 keeps it apart.
redis.call('HDEL', KEYS[1], 'status')
redis.call('HSET', KEYS[1], 'v', ARGV[5])
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'everFound', '1') else redis.call('HDEL', KEYS[1], 'everFound') end
-- A version-1 history also held the current status; this one never does.
redis.call('HDEL', KEYS[2], seq)
local old = seq - tonumber(ARGV[2])
if old > 0 then redis.call('HDEL', KEYS[2], old) end
local subscribers = redis.call('SMEMBERS', KEYS[3])
for _, watchId in ipairs(subscribers) do noteOutbox(KEYS[4], watchId, ARGV[3]) end
table.insert(subscribers, 1, seq)
return subscribers
