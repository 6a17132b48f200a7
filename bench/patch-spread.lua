-- PATCH, with the update page's body, one of the partners listed in
-- BENCH_IDS (comma-separated ids under the collection URL given to wrk),
-- picked at random per request: concurrent writers then touch different
-- rows, as pgbench's UPDATE of a random row does. The requests are built
-- once in init, so each request costs wrk one table look-up.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local body = dofile(here .. "body.lua")
local headers = {
	["Accept"] = "application/json",
	["Content-Type"] = "application/json",
	["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or ""),
}
local requests = {}

function init(args)
	for id in string.gmatch(os.getenv("BENCH_IDS") or "", "[^,]+") do
		requests[#requests + 1] = wrk.format("PATCH", wrk.path .. "/" .. id, headers, body)
	end
	if #requests == 0 then
		error("BENCH_IDS names no partner")
	end
	math.randomseed(os.time())
end

function request()
	return requests[math.random(#requests)]
end
