--[[
  Suspends an active subscription: marks it, takes it out of its group and queues the channel's
  notice. Only the first call for a subscription does anything, so its audit line and notice
  happen once.

  Input:
    KEYS[1] record          the subscription's hash
    KEYS[2] members         its group's subscription IDs
    KEYS[3] untold          subscription IDs whose channel has not been told of a suspension

    ARGV[1] id              the subscription ID
    ARGV[2] reason          why (a refusal reason code)
    ARGV[3] at              when, ISO 8601

  Output:
    1 when this call suspended it; 0 when it was gone or suspended already
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], 'suspended')
if current and current ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'suspended', ARGV[2], 'suspendedAt', ARGV[3])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
