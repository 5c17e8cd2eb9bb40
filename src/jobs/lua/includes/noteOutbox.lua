--[[
  Notes a watch in the outbox.

  A flush that read the entry settles it only if its score did not move (see
  settleOutbox-1.lua); a change noted in the same millisecond as the entry being flushed would
  keep that score and be settled unseen, so a re-note always moves it forward.
]]
local function noteOutbox(outbox, watchId, at)
  local noted = redis.call('ZSCORE', outbox, watchId)
  local score = tonumber(at)
  if noted and tonumber(noted) >= score then score = tonumber(noted) + 1 end
  redis.call('ZADD', outbox, score, watchId)
end
