-- "I Prayed" POSTs from many members: each request picks a member session and a
-- prayer from the file named by BENCH_PAIRS ("sessionid csrftoken prayer_id" lines).
local rows = {}

init = function(args)
  for line in io.lines(os.getenv("BENCH_PAIRS")) do
    local sid, csrf, pid = line:match("(%S+) (%S+) (%S+)")
    rows[#rows + 1] = { sid, csrf, pid }
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

request = function()
  local row = rows[math.random(#rows)]
  return wrk.format("POST", "/prayers/" .. row[3] .. "/prayed/", {
    ["Cookie"] = "sessionid=" .. row[1] .. "; csrftoken=" .. row[2],
    ["X-CSRFToken"] = row[2],
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "")
end
