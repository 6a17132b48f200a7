-- GET the URL given to wrk (an item, or the collection with a query) the
-- way a Graph client does: Accept JSON, bearer token from BENCH_TOKEN.
-- No response() hook: one would make wrk parse every answer in Lua, taking
-- CPU from the server on a shared machine. wrk counts non-2xx answers itself.
wrk.method = "GET"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
