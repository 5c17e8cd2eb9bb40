--[[
  Settles a watch's owed ending.

  The task counts the endings not yet told (`endingsOwed`, which keeps history from being
  trimmed), and each watch leaves that count exactly once, when its ending is told (by a
  delivery or a mute summary) or will never be told (the watch is re-watched or replaced
  first). The guard (an ending set, not yet told) makes it idempotent, so two of those
  transitions racing can never take the count below what is still owed.
  Returns 1 when it settled an ending.
]]
local function settleEnding(watchKey, taskKey)
  local reason = redis.call('HGET', watchKey, 'endReason')
  if not reason or reason == '' or redis.call('HGET', watchKey, 'endPosted') == '1' then return 0 end
  if redis.call('EXISTS', taskKey) == 1 and redis.call('HINCRBY', taskKey, 'endingsOwed', -1) <= 0 then redis.call('HDEL', taskKey, 'endingsOwed') end
  return 1
end
