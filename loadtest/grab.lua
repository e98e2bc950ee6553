-- wrk script: every request is a grab by a new customer.
-- usage: wrk ... -s grab.lua URL -- <promotionId> <customer prefix>
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  promotion = args[1]
  prefix = args[2] or "c"
  counter = 0
  ok, rejected, other = 0, 0, 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  counter = counter + 1
  local body = '{"promotionId":"' .. promotion .. '","customerId":"' .. prefix .. tid .. '-' .. counter .. '"}'
  return wrk.format("POST", "/command/coupons", headers, body)
end

function response(status, hdrs, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 429 then
    rejected = rejected + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local o, r, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    r = r + t:get("rejected")
    x = x + t:get("other")
  end
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d rejected=%d other=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, o, r, x,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
