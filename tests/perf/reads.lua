-- Readers of one post, each a new visitor: every view fetches the page and then,
-- when BENCH_BEACON names it, the page's read-count image, as a browser does. A
-- view's two requests carry the same User-Agent, and no two views share one, so
-- every view is a reader to count. Each view comes from an address of its own too,
-- as a proxy the site trusts says (X-Forwarded-For): one network's visitors count
-- only up to a bound.
local page, beacon, run, view, step = nil, os.getenv("BENCH_BEACON"), "", 0, 0

init = function(args)
  page = wrk.path
  -- Readers of this run and this thread only: today's earlier runs counted theirs.
  run = os.time() .. "-" .. tostring({}):match("0x(%x+)")
end

local function headers()
  return {
    ["User-Agent"] = "Mozilla/5.0 (bench reader " .. run .. "-" .. view .. ")",
    ["X-Forwarded-For"] = "10." .. math.floor(view / 65536) % 256 .. "." ..
      math.floor(view / 256) % 256 .. "." .. view % 256,
  }
end

request = function()
  if beacon == nil or beacon == "" or step == 0 then
    view = view + 1
    step = (beacon ~= nil and beacon ~= "") and 1 or 0
    return wrk.format("GET", page, headers())
  end
  step = 0
  return wrk.format("GET", beacon, headers())
end
