-- wrk script: POST /api/v1/applications with a fresh Idempotency-Key per request.
-- TOKEN and NONCE come from the environment (set by ./run).
local token = os.getenv("KCVS_BENCH_TOKEN")
local nonce = os.getenv("KCVS_BENCH_NONCE") or tostring(os.time())
local body = '{"service":"hanbit-gov-iaas","regime":"csap-2023","tier":"high","service_type":"iaas","scope":"bench"}'
local threads = {}
local id = 0

function setup(thread)
  id = id + 1
  thread:set("tid", id)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  bad = 0
end

function request()
  n = n + 1
  return wrk.format("POST", "/api/v1/applications", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = nonce .. "-" .. tid .. "-" .. n,
  }, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
  end
  io.write(string.format("non-2xx: %d\n", b))
end
