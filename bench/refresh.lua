-- wrk script: refresh-token grants, each connection walking its own chain
-- of rotated tokens. The first tokens come in GATEHOUSE_BENCH_REFRESH (one
-- per connection and a few spare, one per line) and are dealt out to wrk's threads
-- (GATEHOUSE_BENCH_THREADS of them); each answer's new refresh token goes
-- back into its thread's pool, and a connection asks again only after its
-- answer came, so every token is used once (no reuse detection is hit).
-- Counts each response status ("status CODE COUNT" lines when done).
local threads = {}
local first = {}
for t in string.gmatch(os.getenv("GATEHOUSE_BENCH_REFRESH") or "", "[^\n]+") do
  table.insert(first, t)
end
local thread_count = tonumber(os.getenv("GATEHOUSE_BENCH_THREADS") or "2")

function setup(thread)
  local i = #threads
  local mine = {}
  for j = i + 1, #first, thread_count do
    table.insert(mine, first[j])
  end
  thread:set("dealt", table.concat(mine, "\n"))
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  pool = {}
  for t in string.gmatch(dealt or "", "[^\n]+") do
    table.insert(pool, t)
  end
end

function request()
  local token = table.remove(pool) or "none"
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("GATEHOUSE_BENCH_BASIC"),
  }, "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  local token = string.match(body, '"refresh_token":"([^"]+)"')
  if token then
    table.insert(pool, token)
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("counts")) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("status %d %d\n", code, n))
  end
end
