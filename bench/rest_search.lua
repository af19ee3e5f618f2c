-- wrk script for bench/bench_rest.sh: POST /api/<collection>/search by item id with the bearer
-- token. Half the requests have one example item, half two (mixed ids); ids are drawn
-- uniformly from 1..N, reproducibly per wrk thread. Answers other than 200 are counted and
-- reported: a run with any is not a valid measurement.
--
--   wrk ... -s rest_search.lua http://127.0.0.1:PORT/api/NAME/search -- TOKEN N [K]

local threads = {}
local counter = 0

function setup(thread)
    counter = counter + 1
    thread:set("seed", counter)
    table.insert(threads, thread)
end

function init(args)
    token = args[1]
    maxId = tonumber(args[2])
    k = tonumber(args[3] or "10")
    math.randomseed(1000 + seed * 7919)
    headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
    answered = 0
    failed = 0
end

function request()
    local a = math.random(1, maxId)
    local body
    if math.random() < 0.5 then
        body = string.format('{"item_ids":[%d],"k":%d}', a, k)
    else
        body = string.format('{"item_ids":[%d,%d],"k":%d}', a, math.random(1, maxId), k)
    end
    return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
    answered = answered + 1
    if status ~= 200 then
        failed = failed + 1
    end
end

function done(summary, latency, requests)
    local all, bad = 0, 0
    for _, t in ipairs(threads) do
        all = all + t:get("answered")
        bad = bad + t:get("failed")
    end
    io.write(string.format("answers: %d, not 200: %d, socket errors: %d\n", all, bad,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
    io.write(string.format("requests/s: %.1f\n", summary.requests / (summary.duration / 1e6)))
    io.write(string.format("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000))
end
