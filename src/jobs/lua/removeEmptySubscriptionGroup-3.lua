--[[
  Forgets a subscription group once its last subscription left, so its sweep ends by itself;
  a subscription that joined meanwhile keeps it.

  Input:
    KEYS[1] members         the group's subscription IDs
    KEYS[2] groups          group ID -> group JSON
    KEYS[3] cursor          the group's listing cursor

    ARGV[1] groupId

  Output:
    0
]]
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('HDEL', KEYS[2], ARGV[1]) redis.call('DEL', KEYS[3]) end
return 0
