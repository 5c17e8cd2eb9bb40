--[[
  The Redis server's clock in whole epoch ms, so that every process paces against one time.
]]
local function serverTimeMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
