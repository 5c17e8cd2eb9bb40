--[[
  Removes an outbox entry only if nobody noted it again since it was read.

  Input:
    KEYS[1] outbox

    ARGV[1] watchId
    ARGV[2] notedAt         the score it was read with

  Output:
    1 when removed
]]
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) return 1 end
return 0
