-- wrk script: grabs, with identity as the system needs it.
-- usage: wrk ... -s grab.lua URL -- <mode> <promotionId[,promotionId...]> [file] [customer prefix]
--   body    <promotion> - <prefix>: a new customer per request named in the body (the naive baseline, which
--           checks no identity); a ticket-sized Authorization header keeps the bytes the same
--   tickets <promotion> <file>: grab tickets, one per line (the file is pre-split per thread: <file>.<tid>),
--           cycled: a crowd of as many customers as tickets (W1, W2, W6; and the HTTP ceiling, with tickets of
--           the same format that it does not check, so that wrk pays per request what it pays in W1)
--   tokens  <p1,p2,...> <file>: identity tokens (pre-split likewise); every customer grabs once per promotion, the
--           next promotion when all have (warm-ups and fills: a new customer per request, all accepted)
--   flood   <promotion> <file>: the first ticket of the file, as fast as it can, from one address (SPEC W6)
-- Every request but the flood's comes from one of 250 client addresses (X-Forwarded-For, believed from 127.0.0.1).
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

-- the Authorization header values, built once (a per-request concatenation of a 300-byte string costs wrk,
-- which shares the cores with the system, more than the ceiling's requests cost it)
local function load(file)
  local list = {}
  for line in io.lines(file) do
    if line ~= "-" and line ~= "" then table.insert(list, "Bearer " .. line) end
  end
  return list
end

function init(args)
  mode = args[1]
  promotions = {}
  for p in string.gmatch(args[2], "[^,]+") do table.insert(promotions, p) end
  if mode == "body" then
    prefix = args[4] or "c"
    auth = "Bearer " .. string.rep("x", 280)
  elseif mode == "flood" then
    creds = load(args[3] .. "." .. tid)
    creds = { creds[1] }
  else
    creds = load(args[3] .. "." .. tid)
  end
  counter = 0
  ok, rejected, other = 0, 0, 0
  bodies = {}
  for i, p in ipairs(promotions) do bodies[i] = '{"promotionId":"' .. p .. '"}' end
end

function request()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/json" }
  if mode == "flood" then
    headers["X-Forwarded-For"] = "203.0.113.66"
  else
    headers["X-Forwarded-For"] = "198.51.100." .. (counter % 250 + 1)
  end
  if mode == "body" then
    headers["Authorization"] = auth
    local body = '{"promotionId":"' .. promotions[1] .. '","customerId":"' .. prefix .. tid .. '-' .. counter .. '"}'
    return wrk.format("POST", "/command/coupons", headers, body)
  end
  local n = #creds
  local i = (counter - 1) % n + 1
  local body = bodies[1]
  if mode == "tokens" then
    local round = math.floor((counter - 1) / n) + 1
    body = bodies[math.min(round, #bodies)]
  end
  headers["Authorization"] = creds[i]
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
