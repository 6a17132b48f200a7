-- A mix over a seeded tenant for the memory run: 60 % GET of a random
-- partner, 20 % PATCH of a random partner (the update page's body), 20 %
-- the first page of the collection. Partner n (1..BENCH_PARTNERS) has the
-- id bench/seed gives it. The URL given to wrk names the collection.
-- The request() hook formats a request per call: fine here, where memory,
-- not throughput, is measured.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local body = dofile(here .. "body.lua")
local token = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
local count = tonumber(os.getenv("BENCH_PARTNERS") or "100000")
local read = { ["Accept"] = "application/json", ["Authorization"] = token }
local write = {
	["Accept"] = "application/json",
	["Authorization"] = token,
	["Content-Type"] = "application/json",
}

function init(args)
	math.randomseed(os.time())
end

local function item()
	local n = math.random(1, count)
	return string.format("%s/%08x-0000-4000-8000-%012x", wrk.path, n, n)
end

function request()
	local r = math.random()
	if r < 0.6 then
		return wrk.format("GET", item(), read)
	elseif r < 0.8 then
		return wrk.format("PATCH", item(), write, body)
	end
	return wrk.format("GET", wrk.path, read)
end
