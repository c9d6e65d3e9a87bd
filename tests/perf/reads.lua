-- Readers of one post, each a new visitor: every view fetches the page and then,
-- when BENCH_BEACON names it, the page's read-count image, as a browser does. A
-- view's two requests carry the same User-Agent, and no two views share one, so
-- every view is a reader to count.
local page, beacon, run, view, step = nil, os.getenv("BENCH_BEACON"), "", 0, 0

init = function(args)
  page = wrk.path
  -- Readers of this run and this thread only: today's earlier runs counted theirs.
  run = os.time() .. "-" .. tostring({}):match("0x(%x+)")
end

request = function()
  if beacon == nil or beacon == "" or step == 0 then
    view = view + 1
    step = (beacon ~= nil and beacon ~= "") and 1 or 0
    return wrk.format("GET", page, { ["User-Agent"] = "Mozilla/5.0 (bench reader " .. run .. "-" .. view .. ")" })
  end
  step = 0
  return wrk.format("GET", beacon, { ["User-Agent"] = "Mozilla/5.0 (bench reader " .. run .. "-" .. view .. ")" })
end
