-- Shared by the wrk scripts: counts each response status per thread and
-- prints the totals as "status CODE COUNT" lines when wrk is done. A script
-- loads it with dofile (see signin.lua) and calls count(status) from its
-- own response().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  if on_setup then on_setup(thread, #threads) end
end

function count(status)
  counts = counts or {}
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("counts") or {}) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("status %d %d\n", code, n))
  end
end
