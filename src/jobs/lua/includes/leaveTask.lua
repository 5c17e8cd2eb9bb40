--[[
  After a watch left a task's subscribers: when it was the last, the task stops being polled
  and its records (task, status, history) expire after `ttl` seconds unless someone watches it
  again (subscribe-9.lua persists them). Without this, an unwatched task's records stayed for
  good.
  Returns 1 when the task was left without watches.
]]
local function leaveTask(subscribersKey, dueKey, taskKey, taskKeyName, ttl)
  if redis.call('SCARD', subscribersKey) > 0 then return 0 end
  redis.call('ZREM', dueKey, taskKeyName)
  redis.call('EXPIRE', taskKey, ttl)
  redis.call('EXPIRE', taskKey .. ':history', ttl)
  redis.call('EXPIRE', taskKey .. ':status', ttl)
  return 1
end
