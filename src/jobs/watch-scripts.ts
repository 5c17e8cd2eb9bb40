/**
 * The Lua scripts that keep the watch records consistent when several processes act at once.
 * Each step that reads and then writes shared state (subscribe, end a watch, record a change,
 * claim a delivery, take a channel's send slot) runs as one script, so no interleaving can
 * double a watch, lose a subscriber's change, or post the same change twice concurrently.
 */
import type Redis from 'ioredis';

/**
 * Notes a watch in the outbox. A flush that read the entry settles it only if its score did
 * not move (see SETTLE_OUTBOX); a change noted in the same millisecond as the entry being
 * flushed would keep that score and be settled unseen, so a re-note always moves it forward.
 */
const NOTE_OUTBOX = `
local function noteOutbox(outbox, watchId, at)
  local noted = redis.call('ZSCORE', outbox, watchId)
  local score = tonumber(at)
  if noted and tonumber(noted) >= score then score = tonumber(noted) + 1 end
  redis.call('ZADD', outbox, score, watchId)
end
`;

/**
 * Settles a watch's owed ending: the task counts the endings not yet told (`endingsOwed`, which
 * keeps history from being trimmed), and each watch leaves that count exactly once, when its
 * ending is told (by a delivery or a mute summary) or will never be told (the watch is
 * re-watched or replaced first). The guard (an ending set, not yet told) makes it idempotent,
 * so two of those transitions racing can never take the count below what is still owed.
 */
const SETTLE_ENDING = `
local function settleEnding(watchKey, taskKey)
  local reason = redis.call('HGET', watchKey, 'endReason')
  if not reason or reason == '' or redis.call('HGET', watchKey, 'endPosted') == '1' then return 0 end
  if redis.call('EXISTS', taskKey) == 1 and redis.call('HINCRBY', taskKey, 'endingsOwed', -1) <= 0 then redis.call('HDEL', taskKey, 'endingsOwed') end
  return 1
end
`;

/**
 * After a watch left a task's subscribers: when it was the last, the task stops being polled
 * and its records (task, status, history) expire after `ttl` seconds unless someone watches it
 * again (SUBSCRIBE persists them). Without this, an unwatched task's records stayed for good.
 */
const LEAVE_TASK = `
local function leaveTask(subscribersKey, dueKey, taskKey, taskKeyName, ttl)
  if redis.call('SCARD', subscribersKey) > 0 then return 0 end
  redis.call('ZREM', dueKey, taskKeyName)
  redis.call('EXPIRE', taskKey, ttl)
  redis.call('EXPIRE', taskKey .. ':history', ttl)
  redis.call('EXPIRE', taskKey .. ':status', ttl)
  return 1
end
`;

/** True when a delivery claim (`<claimant>|<expires>`) is held and not expired at `now`. */
const CLAIM_IS_LIVE = `
local function claimIsLive(claim, now)
  if not claim or claim == '' then return false end
  local separator = string.find(claim, '|', 1, true)
  if not separator then return false end
  return (tonumber(string.sub(claim, separator + 1)) or 0) > tonumber(now)
end
`;

/**
 * Reserves the right to subscribe a watch, so that two commands for one task and channel at
 * once (a double click, an API retry) make one watch and one card: the second waits for the
 * first instead of posting a card of its own.
 * KEYS: watch, reservation. ARGV: token, realNow, ttlMs.
 * Returns 'active' (the watch exists: nothing to do), 'busy' (another caller holds the
 * reservation: try again shortly), 'revive' (reserved; the watch ended but its ending was not
 * told yet, so it may go on on its own card) or 'new' (reserved; post a card).
 */
const RESERVE_WATCH = `${CLAIM_IS_LIVE}
local exists = redis.call('EXISTS', KEYS[1]) == 1
local reason = redis.call('HGET', KEYS[1], 'endReason')
if exists and (not reason or reason == '') then return 'active' end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return 'busy' end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
if exists and redis.call('HGET', KEYS[1], 'endPosted') ~= '1' and (redis.call('HGET', KEYS[1], 'cardMessageId') or '') ~= ''
  and not claimIsLive(redis.call('HGET', KEYS[1], 'claim'), ARGV[2]) then return 'revive' end
return 'new'
`;

/** Drops a reservation if it is still the caller's. KEYS: reservation. ARGV: token. */
const RELEASE_RESERVATION = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Subscribes a watch to a task, creating or reviving the task record.
 * KEYS: task, subscribers, watch, channel set, due, groups, active-watch counter, outbox, reservation.
 * ARGV: watchId, taskKey, version, kind, account, region, id, groupId, realNow, channel,
 *       requestedBy, cardMessageId, startedAt, deadlineAt, groupJson, cardSeq, revive, token.
 * `cardSeq` is the seq whose status the posted card shows ('' when unknown: the current seq).
 * The card is posted before this script runs, so a sweep may have recorded a change in
 * between; that change reached no outbox (the watch was not subscribed yet), so the watch is
 * noted here, or its card would show a stale state until the next change.
 * With `revive` ('1'), the watch goes on where it ended, on its own card, told up to where it
 * was told: only while its ending is still untold and no delivery is telling it (else -1, and
 * the caller posts a card). An ending that is replaced unsaid is settled (see SETTLE_ENDING).
 * Drops the caller's reservation (`token`).
 * Returns the task's seq at subscription, or -1 when a revival was asked for and is not possible.
 */
const SUBSCRIBE = `${NOTE_OUTBOX}${SETTLE_ENDING}${CLAIM_IS_LIVE}
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
`;

/**
 * Ends one watch unless it has already ended, and stops polling the task when it was the last.
 * The task counts the endings not yet posted: the watch leaves the subscribers at once, but its
 * last reply still needs the task's past statuses, so no history is trimmed while any is owed.
 * KEYS: watch, subscribers, channel set, outbox, due, active-watch counter, task.
 * ARGV: watchId, reason, message, realNow, taskKey, ttlSeconds (of a task left without watches).
 * Returns 1 when this call ended it.
 */
const END_WATCH = `${NOTE_OUTBOX}${LEAVE_TASK}
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
`;

/**
 * Records a change of a task and notes every current subscriber in the outbox, atomically, so a
 * subscriber joining at the same moment either sees the change on its card or is told of it.
 * The status it replaces moves to the history (a subscriber not yet told needs it as its
 * "previous"); the current status is kept once, on the task. Updates a version-1 task in place.
 * With an expected seq (ARGV[6]) it is a compare-and-set: when the task's seq has moved on, it
 * records nothing and returns { -1 }, so a sweep that decided on a stale record can re-decide.
 * KEYS: task, history, subscribers, outbox, status. ARGV: encodedStatus, historyKeep, realNow, everFound, version, expectedSeq ('' for none).
 * Returns { seq, watchIds... }.
 */
const RECORD_CHANGE = `${NOTE_OUTBOX}
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
`;

/**
 * Forgets the past statuses of a task that no subscriber still needs: those before the lowest
 * seq any current subscriber was told of. Runs after each delivery, so in the steady state (every
 * subscriber up to date) a task keeps no history at all. While an ended watch's last reply is
 * owed (`endingsOwed` on the task) nothing is trimmed: that watch is no longer a subscriber.
 * The subscribers' watch hashes are read by name (the watch key prefix plus each ID) because
 * they are only known once the set is read; the engine runs on one Redis, never a cluster.
 * KEYS: history, subscribers, task. ARGV: watch key prefix, the seq the caller was just told of.
 * Returns how many statuses were dropped.
 */
const TRIM_HISTORY = `
if tonumber(redis.call('HGET', KEYS[3], 'endingsOwed') or '0') > 0 then return 0 end
local low = tonumber(ARGV[2])
for _, watchId in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local told = tonumber(redis.call('HGET', ARGV[1] .. watchId, 'deliveredSeq') or '0') or 0
  if told < low then low = told end
end
local dropped = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  local seq = tonumber(field)
  if seq and seq < low then redis.call('HDEL', KEYS[1], field) dropped = dropped + 1 end
end
return dropped
`;

/**
 * Claims the right to deliver to one watch. A claim held by another job and not yet expired
 * refuses; the same job retried after a crash may take its own claim back.
 * KEYS: watch. ARGV: claimant, realNow, ttlMs. Returns 1 when claimed.
 */
const CLAIM_DELIVERY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local claim = redis.call('HGET', KEYS[1], 'claim')
if claim and claim ~= '' then
  local separator = string.find(claim, '|', 1, true)
  local owner = string.sub(claim, 1, separator - 1)
  local expires = tonumber(string.sub(claim, separator + 1))
  if owner ~= ARGV[1] and expires > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'claim', ARGV[1] .. '|' .. (tonumber(ARGV[2]) + tonumber(ARGV[3])))
return 1
`;

/**
 * Releases a delivery claim, optionally recording what was delivered (an empty value removes the
 * field). Recording `endPosted` = '1' settles the watch's owed ending (see SETTLE_ENDING).
 * KEYS: watch, task. ARGV: claimant, field/value pairs... Returns 1 when the claim was ours.
 */
const RELEASE_DELIVERY = `${SETTLE_ENDING}
local claim = redis.call('HGET', KEYS[1], 'claim')
if not claim or string.sub(claim, 1, string.len(ARGV[1]) + 1) ~= ARGV[1] .. '|' then return 0 end
redis.call('HDEL', KEYS[1], 'claim')
for index = 2, #ARGV, 2 do
  if ARGV[index] == 'endPosted' and ARGV[index + 1] == '1' then settleEnding(KEYS[1], KEYS[2]) end
end
for index = 2, #ARGV, 2 do
  if ARGV[index + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[index]) else redis.call('HSET', KEYS[1], ARGV[index], ARGV[index + 1]) end
end
return 1
`;

/**
 * Takes a channel's next send slot. KEYS: pace. ARGV: spacingMs.
 * Returns 0 when the caller may send now, else how many ms to wait. Uses the server's clock so
 * that every process paces against the same time.
 */
const TAKE_SEND_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextAt > now then return nextAt - now end
redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
return 0
`;

/** Pushes a channel's next send slot back by at least `ARGV[1]` ms (a 429's Retry-After). KEYS: pace. */
const HOLD_CHANNEL = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local holdUntil = now + tonumber(ARGV[1])
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if holdUntil > nextAt then redis.call('SET', KEYS[1], holdUntil, 'PX', tonumber(ARGV[1]) + 60000) end
return holdUntil
`;

/**
 * Marks a watch's changes up to a seq as told by a mute summary, and its ending with them.
 * KEYS: watch, task. ARGV: seq, '1' when the summary told the ending. Returns 0 when the watch is gone.
 */
const MARK_TOLD = `${SETTLE_ENDING}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local delivered = tonumber(redis.call('HGET', KEYS[1], 'deliveredSeq') or '0')
if tonumber(ARGV[1]) > delivered then redis.call('HSET', KEYS[1], 'deliveredSeq', ARGV[1]) end
if ARGV[2] == '1' then
  settleEnding(KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'endPosted', '1')
end
return 1
`;

/**
 * Gives up telling a watch anything more, because its channel or card is gone for good or its
 * deadline passed while its channel stayed unreachable: ends it (if it was not ended) without
 * owing an ending, marks everything as told, and lets its record expire.
 * KEYS: watch, subscribers, channel set, due, active-watch counter, task.
 * ARGV: watchId, reason (for a watch not yet ended), taskKey, ttlSeconds (of the watch),
 * ttlSeconds (of a task left without watches).
 * Returns 1 when this call gave up on it, 0 when it was gone or given up on already.
 */
const ABANDON_WATCH = `${SETTLE_ENDING}${LEAVE_TASK}
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
`;

/**
 * Lets a watch's record expire once it is finished: ended, its ending told and shown on its
 * card. Checked here, not by the caller, because a re-watch may have revived it in between.
 * KEYS: watch. ARGV: ttlSeconds. Returns 1 when it will expire.
 */
const EXPIRE_FINISHED = `
local reason = redis.call('HGET', KEYS[1], 'endReason')
if not reason or reason == '' then return 0 end
if redis.call('HGET', KEYS[1], 'endPosted') ~= '1' or redis.call('HGET', KEYS[1], 'endCarded') ~= '1' then return 0 end
return redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
`;

/**
 * Forgets a poll group that has nothing to poll, unless a task joined it meanwhile.
 * KEYS: due, groups. ARGV: groupId. Returns 1 when removed.
 */
const REMOVE_IDLE_GROUP = `
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
return redis.call('HDEL', KEYS[2], ARGV[1])
`;

/** Removes an outbox entry only if nobody noted it again since. KEYS: outbox. ARGV: watchId, score. */
const SETTLE_OUTBOX = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) return 1 end
return 0
`;

/** The scripts, callable on a Redis client after {@link defineWatchScripts}. */
export interface WatchScripts {
  subscribe(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  endWatch(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  recordChange(keys: readonly string[], args: readonly (string | number)[]): Promise<[number, ...string[]]>;
  trimHistory(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  claimDelivery(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  releaseDelivery(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  takeSendSlot(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  holdChannel(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  settleOutbox(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  reserveWatch(keys: readonly string[], args: readonly (string | number)[]): Promise<string>;
  releaseReservation(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  markTold(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  abandonWatch(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  expireFinished(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  removeIdleGroup(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
}

const SOURCES: Readonly<Record<keyof WatchScripts, { readonly lua: string; readonly keys: number }>> = {
  subscribe: { lua: SUBSCRIBE, keys: 9 },
  endWatch: { lua: END_WATCH, keys: 7 },
  recordChange: { lua: RECORD_CHANGE, keys: 5 },
  trimHistory: { lua: TRIM_HISTORY, keys: 3 },
  claimDelivery: { lua: CLAIM_DELIVERY, keys: 1 },
  releaseDelivery: { lua: RELEASE_DELIVERY, keys: 2 },
  takeSendSlot: { lua: TAKE_SEND_SLOT, keys: 1 },
  holdChannel: { lua: HOLD_CHANNEL, keys: 1 },
  settleOutbox: { lua: SETTLE_OUTBOX, keys: 1 },
  reserveWatch: { lua: RESERVE_WATCH, keys: 2 },
  releaseReservation: { lua: RELEASE_RESERVATION, keys: 1 },
  markTold: { lua: MARK_TOLD, keys: 2 },
  abandonWatch: { lua: ABANDON_WATCH, keys: 6 },
  expireFinished: { lua: EXPIRE_FINISHED, keys: 1 },
  removeIdleGroup: { lua: REMOVE_IDLE_GROUP, keys: 2 },
};

/** Registers the scripts on a client (EVALSHA with automatic fallback) and returns typed callers. */
export function defineWatchScripts(redis: Redis): WatchScripts {
  const scripts: Partial<Record<keyof WatchScripts, unknown>> = {};
  for (const [name, source] of Object.entries(SOURCES) as [keyof WatchScripts, { lua: string; keys: number }][]) {
    const command = `taskwatch_${name}`;
    redis.defineCommand(command, { numberOfKeys: source.keys, lua: source.lua });
    const call = (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[command] as (
      ...args: (string | number)[]
    ) => Promise<unknown>;
    scripts[name] = (keys: readonly string[], args: readonly (string | number)[]) => {
      if (keys.length !== source.keys) throw new RangeError(`${name} takes ${source.keys} keys, got ${keys.length}`);
      return call.call(redis, ...keys, ...args);
    };
  }
  return scripts as WatchScripts;
}
