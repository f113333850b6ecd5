-- Anonymous reads: lists, keyword search (Chinese), single records.
local paths = {
  "/api/needs?limit=20",
  "/api/needs?q=%E7%85%A4%E7%84%A6%E6%B2%B9&limit=10",
  "/api/capabilities?city=%E5%A4%AA%E5%8E%9F&limit=20",
  "/api/jobs?min_education=%E6%9C%AC%E7%A7%91",
  "/api/organizations?kind=enterprise",
  "/api/needs/5",
  "/api/capabilities/7",
  "/api/talent-pools?limit=50",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
