--[[
  Reserves the right to subscribe a watch, so that two commands for one task and channel at
  once (a double click, an API retry) make one watch and one card: the second waits for the
  first instead of posting a card of its own.

  Input:
    KEYS[1] watch          the watch hash
    KEYS[2] reservation    the watch's reservation string

    ARGV[1] token          the reserving command
    ARGV[2] realNow        epoch ms
    ARGV[3] ttlMs          how long the reservation holds

  Output:
    'active'  the watch exists: nothing to do
    'busy'    another caller holds the reservation: try again shortly
    'revive'  reserved; the watch ended but its ending was not told yet, so it may go on on its own card
    'new'     reserved; post a card
]]
--- @include "includes/claimIsLive"
local exists = redis.call('EXISTS', KEYS[1]) == 1
local reason = redis.call('HGET', KEYS[1], 'endReason')
if exists and (not reason or reason == '') then return 'active' end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return 'busy' end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
if exists and redis.call('HGET', KEYS[1], 'endPosted') ~= '1' and (redis.call('HGET', KEYS[1], 'cardMessageId') or '') ~= ''
  and not claimIsLive(redis.call('HGET', KEYS[1], 'claim'), ARGV[2]) then return 'revive' end
return 'new'
