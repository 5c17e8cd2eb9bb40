--[[
  Subscribes a watch to a task, creating or reviving the task record.

  The card is posted before this script runs, so a sweep may have recorded a change in
  between; that change reached no outbox (the watch was not subscribed yet), so the watch is
  noted here, or its card would show a stale state until the next change.
  With `revive` ('1'), the watch goes on where it ended, on its own card, told up to where it
  was told: only while its ending is still untold and no delivery is telling it (else -1, and
  the caller posts a card). An ending that is replaced unsaid is settled (see settleEnding).
  Drops the caller's reservation (`token`).

  Input:
    KEYS[1] task            the task hash
    KEYS[2] subscribers     the task's watch IDs
    KEYS[3] watch           the watch hash
    KEYS[4] channel         the channel's watch IDs
    KEYS[5] due             the poll group's next checks
    KEYS[6] groups          poll group ID -> group JSON
    KEYS[7] activeCount     the active-watch counter
    KEYS[8] outbox          watches with something to tell
    KEYS[9] reservation     the watch's reservation

    ARGV[1]  watchId
    ARGV[2]  taskKey
    ARGV[3]  version        record version written
    ARGV[4]  kind
    ARGV[5]  account
    ARGV[6]  region         '' for none
    ARGV[7]  id             the task's ID
    ARGV[8]  groupId
    ARGV[9]  realNow        epoch ms
    ARGV[10] channel        `<platform>:<channelId>`
    ARGV[11] requestedBy
    ARGV[12] cardMessageId
    ARGV[13] startedAt
    ARGV[14] deadlineAt
    ARGV[15] groupJson
    ARGV[16] cardSeq        the seq whose status the posted card shows ('' when unknown: the current seq)
    ARGV[17] revive         '1' to go on with the ended watch's own card
    ARGV[18] token          the reservation to drop

  Output:
    the task's seq at subscription, or -1 when a revival was asked for and is not possible
]]
--- @include "includes/noteOutbox"
--- @include "includes/settleEnding"
--- @include "includes/claimIsLive"
local card = ARGV[12]
local delivered = nil
local cardSeq = nil
if ARGV[17] == '1' then
  local reason = redis.call('HGET', KEYS[3], 'endReason')
  card = redis.call('HGET', KEYS[3], 'cardMessageId') or ''
  if not reason or reason == '' or card == '' or redis.call('HGET', KEYS[3], 'endPosted') == '1'
    or claimIsLive(redis.call('HGET', KEYS[3], 'claim'), ARGV[9]) then return -1 end
  delivered = redis.call('HGET', KEYS[3], 'deliveredSeq') or '0'
  cardSeq = redis.call('HGET', KEYS[3], 'cardSeq') or '0'
  -- A card already showing the ending is drawn again.
  if redis.call('HGET', KEYS[3], 'endCarded') == '1' then cardSeq = '-1' end
end
settleEnding(KEYS[3], KEYS[1])
if redis.call('GET', KEYS[9]) == ARGV[18] then redis.call('DEL', KEYS[9]) end
if redis.call('HEXISTS', KEYS[1], 'v') == 0 then
  redis.call('HSET', KEYS[1], 'v', ARGV[3], 'kind', ARGV[4], 'account', ARGV[5], 'id', ARGV[7], 'seq', 0, 'pollingSince', ARGV[9])
  if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'region', ARGV[6]) end
end
-- A task nobody watched any more (or that ended) was left to expire: it is watched again.
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[1] .. ':history')
redis.call('PERSIST', KEYS[1] .. ':status')
local ended = redis.call('HGET', KEYS[1], 'endReason')
if ended and ended ~= '' then
  redis.call('HDEL', KEYS[1], 'endReason')
  -- A watch of "the latest task" that was replaced follows whichever task is latest now:
  -- forgetting the replaced task's status unpins it (see replacingTaskId).
  if redis.call('HGET', KEYS[1], 'replacedBy') then
    redis.call('HDEL', KEYS[1], 'replacedBy')
    if ARGV[7] == 'latest' then redis.call('DEL', KEYS[1] .. ':status') end
  end
  redis.call('HSET', KEYS[1], 'pollingSince', ARGV[9])
end
local seq = redis.call('HGET', KEYS[1], 'seq')
local shown = seq
if ARGV[16] ~= nil and ARGV[16] ~= '' and tonumber(ARGV[16]) < tonumber(seq) then shown = ARGV[16] end
if delivered == nil then delivered = shown end
if cardSeq == nil then cardSeq = shown end
redis.call('DEL', KEYS[3])
-- Empty fields are left out: every field costs memory in each of thousands of watches.
redis.call('HSET', KEYS[3], 'v', ARGV[3], 'taskKey', ARGV[2], 'channel', ARGV[10], 'requestedBy', ARGV[11],
  'cardMessageId', card, 'deliveredSeq', delivered, 'cardSeq', cardSeq, 'startedAt', ARGV[13], 'deadlineAt', ARGV[14])
if tonumber(delivered) < tonumber(seq) or tonumber(cardSeq) < tonumber(seq) then noteOutbox(KEYS[8], ARGV[1], ARGV[9]) end
redis.call('SADD', KEYS[2], ARGV[1])
if redis.call('SADD', KEYS[4], ARGV[1]) == 1 then redis.call('INCR', KEYS[7]) end
redis.call('ZADD', KEYS[5], 'NX', ARGV[9], ARGV[2])
redis.call('HSET', KEYS[6], ARGV[8], ARGV[15])
return tonumber(seq)
