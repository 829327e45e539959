-- wrk script: refresh-token grants, each connection walking its own chain
-- of rotated tokens. The first tokens come in GATEHOUSE_BENCH_REFRESH (one
-- per connection and a few spare, one per line) and are dealt out to wrk's
-- threads (GATEHOUSE_BENCH_THREADS of them); each answer's new refresh
-- token goes back into its thread's pool, and a connection asks again only
-- after its answer came, so every token is used once (no reuse detection
-- is hit). Counts each response status ("status CODE COUNT" lines when
-- done).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")

local first = {}
for t in string.gmatch(os.getenv("GATEHOUSE_BENCH_REFRESH") or "", "[^\n]+") do
  table.insert(first, t)
end
local thread_count = tonumber(os.getenv("GATEHOUSE_BENCH_THREADS") or "2")

-- Called by status.lua's setup with the thread's number (1, 2, …).
function on_setup(thread, n)
  local mine = {}
  for j = n, #first, thread_count do
    table.insert(mine, first[j])
  end
  thread:set("dealt", table.concat(mine, "\n"))
end

function init(args)
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
  count(status)
  local token = string.match(body, '"refresh_token":"([^"]+)"')
  if token then
    table.insert(pool, token)
  end
end
