--[[
  Takes a TaskId for a subscription unless already taken: an atomic add-if-absent to the
  subscription's "seen" set, noting the task as pending until the watch engine has it.

  Input:
    KEYS[1] seen            TaskIds taken, scored by when
    KEYS[2] pending         TaskId -> entry JSON, taken but not yet handed over

    ARGV[1] taskId
    ARGV[2] now             epoch ms (engine clock)
    ARGV[3] entryJson       the task's ref, state and raw status
    ARGV[4] retentionMs     how long a taken TaskId is remembered

  Output:
    1 when this call took it
]]
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
