-- 90 % reads as the enterprise user, 10 % PATCHes of its own need (version-free, so no 412):
-- shows the per-token write limit (429) under load while reads continue.
local token = os.getenv("DUIJIE_TOKEN")
local need_id = os.getenv("DUIJIE_NEED")
local i = 0
request = function()
  i = i + 1
  local h = { ["Authorization"] = "Bearer " .. token }
  if i % 10 == 0 then
    h["Content-Type"] = "application/json"
    return wrk.format("PATCH", "/api/needs/" .. need_id, h, '{"description": "负载测试 ' .. i .. '"}')
  end
  return wrk.format("GET", "/api/needs?limit=20", h)
end
