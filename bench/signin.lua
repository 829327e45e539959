-- wrk script: password sign-ins to the benchmark account, counting each
-- response status (printed as "status CODE COUNT" lines when done).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")

wrk.method = "POST"
wrk.body = '{"login_id":"bench@example.com","password":"correct horse battery staple"}'
wrk.headers["Content-Type"] = "application/json"

function response(status, headers, body)
  count(status)
end
