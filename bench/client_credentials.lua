-- wrk script: client_credentials grants of one machine client (Basic
-- credentials in GATEHOUSE_BENCH_BASIC), counting each response status
-- ("status CODE COUNT" lines when done).
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=gatehouse"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("GATEHOUSE_BENCH_BASIC")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
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
