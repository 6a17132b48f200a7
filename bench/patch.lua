-- PATCH the item at the URL given to wrk with the update page's body
-- (body.lua), JSON content type, bearer token from BENCH_TOKEN.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
wrk.method = "PATCH"
wrk.headers["Accept"] = "application/json"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
wrk.body = dofile(here .. "body.lua")
