--[[
  Marks a watch's changes up to a seq as told by a mute summary, and its ending with them.

  Input:
    KEYS[1] watch           the watch hash
    KEYS[2] task            the task hash

    ARGV[1] seq             told up to this seq
    ARGV[2] ended           '1' when the summary told the ending

  Output:
    0 when the watch is gone, else 1
]]
--- @include "includes/settleEnding"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local delivered = tonumber(redis.call('HGET', KEYS[1], 'deliveredSeq') or '0')
if tonumber(ARGV[1]) > delivered then redis.call('HSET', KEYS[1], 'deliveredSeq', ARGV[1]) end
if ARGV[2] == '1' then
  settleEnding(KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'endPosted', '1')
end
return 1
