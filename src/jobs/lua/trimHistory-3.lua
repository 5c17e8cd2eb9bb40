--[[
  Forgets the past statuses of a task that no subscriber still needs: those before the lowest
  seq any current subscriber was told of. Runs after each delivery, so in the steady state
  (every subscriber up to date) a task keeps no history at all. While an ended watch's last
  reply is owed (`endingsOwed` on the task) nothing is trimmed: that watch is no longer a
  subscriber. The subscribers' watch hashes are read by name (the watch key prefix plus each
  ID) because they are only known once the set is read; the engine runs on one Redis, never a
  cluster.

  Input:
    KEYS[1] history         seq -> past status
    KEYS[2] subscribers     the task's watch IDs
    KEYS[3] task            the task hash

    ARGV[1] watchKeyPrefix  the watch key of an empty watch ID
    ARGV[2] toldSeq         the seq the caller was just told of

  Output:
    how many statuses were dropped
]]
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
