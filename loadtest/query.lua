-- wrk script: the query side at full speed, alternating the active list and a customer's coupons (read with that
-- customer's identity token). The customers polling are the first <customers per thread> of each thread's share,
-- cycled: each of them asks for their coupons again every few seconds, as a customer's page does during a sale.
-- usage: wrk ... -s query.lua URL -- <tokens file, pre-split per thread: <file>.<tid>> <ids file, likewise>
--        <customers per thread>
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tokens, ids = {}, {}
  local limit = tonumber(args[3])
  for line in io.lines(args[1] .. "." .. tid) do
    if #tokens == limit then break end
    table.insert(tokens, "Bearer " .. line)
  end
  for line in io.lines(args[2] .. "." .. tid) do
    if #ids == limit then break end
    table.insert(ids, line)
  end
  counter = 0
  ok, other = 0, 0
end

function request()
  counter = counter + 1
  local headers = { ["X-Forwarded-For"] = "198.51.100." .. (counter % 250 + 1) }
  if counter % 2 == 0 then
    return wrk.format("GET", "/query/promotions", headers)
  end
  local i = (counter - 1) % #tokens + 1
  headers["Authorization"] = tokens[i]
  return wrk.format("GET", "/query/coupons/" .. ids[i], headers)
end

function response(status, hdrs, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local o, x = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    x = x + t:get("other")
  end
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d rejected=0 other=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, o, x,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
