--[[
  Subscribes a watch to a task, creating or reviving the task record.

  The card is posted before this script runs, so a sweep may have recorded a change in
  between; that change reached no outbox (the watch was not subscribed yet), so the watch is
  noted here, or its card would show a stale state until the next change.
  With `revive` ('1'), the watch goes on where it ended, on its own card, told up to where it
  was told: only while its ending is still untold and no delivery is telling it (else -1, and
  the caller posts a card). An ending that is replaced unsaid is settled (see settleEnding).
  Drops the caller's reservation (`token`).

  With a `checkedStatus` (the check a command made before posting its card), the check is
  recorded as the task's first observation, in this same script, while the task's seq is still
  the `expectedSeq` the caller read: the task gets a new seq holding it, the watch is told up to
  that seq (a `cardSeq` of 'checked' says the card shows it), and the task's first poll waits
  until `checkedDueAt`, so the check costs no second call at once. A sweep that recorded first
  wins: the check is dropped and the card is treated as showing nothing yet (seq 0), so it is
  edited to what the sweep saw, with no thread reply.

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
    ARGV[16] cardSeq        the seq whose status the posted card shows ('' when unknown: the current
                            seq; 'checked': the checked status)
    ARGV[17] revive         '1' to go on with the ended watch's own card
    ARGV[18] token          the reservation to drop
    ARGV[19] checkedStatus  encoded status of the check before the card ('' for none)
    ARGV[20] expectedSeq    the task seq the caller read before checking ('' for none)
    ARGV[21] checkedDueAt   epoch ms of the task's first poll after a recorded check
    ARGV[22] everFound      '1' when the checked status found the task
    ARGV[23] historyKeep    most past statuses kept
    ARGV[24] progress       'thread' when every progress step is told in the thread, '' for the card only
    ARGV[25] checkedEnds    '1' when the checked status ends the watch: the watch is told only up to
                            the seq before it, so its thread's first word is the ending itself
    ARGV[26] cardPostedAt   engine-clock epoch ms the card was posted ('' when unknown: a card posted
                            elsewhere, such as a button's message); a revived watch keeps its own

  Output:
    the task's seq at subscription, or -1 when a revival was asked for and is not possible
]]
--- @include "includes/noteOutbox"
--- @include "includes/settleEnding"
--- @include "includes/claimIsLive"
local card = ARGV[12]
local cardPostedAt = ARGV[26]
local delivered = nil
local cardSeq = nil
if ARGV[17] == '1' then
  local reason = redis.call('HGET', KEYS[3], 'endReason')
  card = redis.call('HGET', KEYS[3], 'cardMessageId') or ''
  cardPostedAt = redis.call('HGET', KEYS[3], 'cardPostedAt') or ''
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
local dueAt = ARGV[9]
local checkedSeq = nil
if ARGV[19] ~= '' and ARGV[20] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') == tonumber(ARGV[20]) then
  -- As recordChange-5.lua records a change: the status it replaces moves to the history.
  local replaced = redis.call('GET', KEYS[1] .. ':status') or redis.call('HGET', KEYS[1], 'status')
  local next = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  if replaced and replaced ~= '' and next > 1 then redis.call('HSET', KEYS[1] .. ':history', next - 1, replaced) end
  redis.call('SET', KEYS[1] .. ':status', ARGV[19])
  redis.call('HDEL', KEYS[1], 'status')
  redis.call('HDEL', KEYS[1] .. ':history', next)
  local old = next - tonumber(ARGV[23])
  if old > 0 then redis.call('HDEL', KEYS[1] .. ':history', old) end
  if ARGV[22] == '1' then redis.call('HSET', KEYS[1], 'everFound', '1') else redis.call('HDEL', KEYS[1], 'everFound') end
  -- Another watch waiting for the task's first observation has it now.
  for _, other in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if other ~= ARGV[1] then noteOutbox(KEYS[8], other, ARGV[9]) end
  end
  checkedSeq = tostring(next)
  dueAt = ARGV[21]
end
local seq = redis.call('HGET', KEYS[1], 'seq')
local shown = seq
if ARGV[16] == 'checked' then
  if checkedSeq then shown = checkedSeq else shown = '0' end
elseif ARGV[16] ~= nil and ARGV[16] ~= '' and tonumber(ARGV[16]) < tonumber(seq) then shown = ARGV[16] end
if delivered == nil then
  if checkedSeq and ARGV[16] == 'checked' and ARGV[25] == '1' then delivered = tostring(tonumber(checkedSeq) - 1) else delivered = shown end
end
if cardSeq == nil then cardSeq = shown end
redis.call('DEL', KEYS[3])
-- Empty fields are left out: every field costs memory in each of thousands of watches.
redis.call('HSET', KEYS[3], 'v', ARGV[3], 'taskKey', ARGV[2], 'channel', ARGV[10], 'requestedBy', ARGV[11],
  'cardMessageId', card, 'deliveredSeq', delivered, 'cardSeq', cardSeq, 'startedAt', ARGV[13], 'deadlineAt', ARGV[14])
if ARGV[24] ~= '' then redis.call('HSET', KEYS[3], 'progress', ARGV[24]) end
-- A revived watch goes on on its own card, posted when it was.
if cardPostedAt ~= '' then redis.call('HSET', KEYS[3], 'cardPostedAt', cardPostedAt) end
if tonumber(delivered) < tonumber(seq) or tonumber(cardSeq) < tonumber(seq) then noteOutbox(KEYS[8], ARGV[1], ARGV[9]) end
redis.call('SADD', KEYS[2], ARGV[1])
if redis.call('SADD', KEYS[4], ARGV[1]) == 1 then redis.call('INCR', KEYS[7]) end
redis.call('ZADD', KEYS[5], 'NX', dueAt, ARGV[2])
redis.call('HSET', KEYS[6], ARGV[8], ARGV[15])
return tonumber(seq)
