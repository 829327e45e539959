-- wrk script: client_credentials grants of one machine client (Basic
-- credentials in GATEHOUSE_BENCH_BASIC), counting each response status
-- ("status CODE COUNT" lines when done).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")

wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=gatehouse"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("GATEHOUSE_BENCH_BASIC")

function response(status, headers, body)
  count(status)
end
