--[[
  Forgets a poll group that has nothing to poll, unless a task joined it meanwhile.

  Input:
    KEYS[1] due             the poll group's next checks
    KEYS[2] groups          poll group ID -> group JSON

    ARGV[1] groupId

  Output:
    1 when removed
]]
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
return redis.call('HDEL', KEYS[2], ARGV[1])
