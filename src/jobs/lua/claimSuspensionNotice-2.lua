--[[
  Claims the telling of a suspension notice, so that one teller posts it: the worker that
  suspended the subscription, or a supervisor pass retrying untold notices, never both at
  once. The claim expires by itself, so a teller that died mid-post is retried after it.

  Input:
    KEYS[1] untold          subscription IDs whose channel has not been told of a suspension
    KEYS[2] claim           the subscription's notice claim (a string with a TTL)

    ARGV[1] id              the subscription ID
    ARGV[2] claimant        who tells it (unique per try)
    ARGV[3] ttlMs           how long the claim holds

  Output:
    1 when claimed; 0 when told already or another teller holds the claim
]]
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', tonumber(ARGV[3])) then return 1 end
return 0
