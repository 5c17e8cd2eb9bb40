--[[
  Notes a stuck task for each of its active, carded watches not noted before, and puts each
  watch it notes in the outbox. Reads watch hashes but writes none: the stuck fact is a key of
  its own (see src/jobs/durations/stuck-check.ts).

  Input:
    KEYS[1] subscribers     the task's set of watch IDs
    KEYS[2] outbox          the outbox

    ARGV[1] watchKeyPrefix  the watch hash key without its watch ID
    ARGV[2] stuckKeyPrefix  the stuck fact key without its watch ID
    ARGV[3] factsJson       the StuckFacts, JSON
    ARGV[4] ttlSeconds      how long a stuck fact lives (longer than any watch)
    ARGV[5] realNow         real time, epoch ms: the outbox score

  Output:
    how many watches were noted
]]
--- @include "includes/noteOutbox"
local noted = 0
for _, watchId in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local fields = redis.call('HMGET', ARGV[1] .. watchId, 'endReason', 'cardMessageId')
  local ended = fields[1] and fields[1] ~= ''
  local carded = fields[2] and fields[2] ~= ''
  if not ended and carded then
    local stuckKey = ARGV[2] .. watchId
    if redis.call('HSETNX', stuckKey, 'state', 'owed') == 1 then
      redis.call('HSET', stuckKey, 'facts', ARGV[3])
      redis.call('EXPIRE', stuckKey, tonumber(ARGV[4]))
      noteOutbox(KEYS[2], watchId, ARGV[5])
      noted = noted + 1
    end
  end
end
return noted
