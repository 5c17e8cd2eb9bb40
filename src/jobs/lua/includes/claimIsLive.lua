--[[
  True when a delivery claim (`<claimant>|<expires>`) is held and not expired at `now`.
]]
local function claimIsLive(claim, now)
  if not claim or claim == '' then return false end
  local separator = string.find(claim, '|', 1, true)
  if not separator then return false end
  return (tonumber(string.sub(claim, separator + 1)) or 0) > tonumber(now)
end
