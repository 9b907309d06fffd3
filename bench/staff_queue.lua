-- wrk script: GET the staff queue with a session cookie, cycling through filter URLs.
local cookie = os.getenv("SESSION_COOKIE")
local paths = {}
for path in string.gmatch(os.getenv("PATHS"), "[^,]+") do table.insert(paths, path) end
local i = 0

-- Count answers other than 200 per thread (globals, so done() can read them).
local threads = {}
unexpected = 0

setup = function(thread)
  table.insert(threads, thread)
end

response = function(status, headers, body)
  if status ~= 200 then unexpected = unexpected + 1 end
end

request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {
    ["Cookie"] = "sessionid=" .. cookie,
    ["X-Forwarded-Proto"] = "https",
  })
end

done = function(summary, latency, requests)
  local other = 0
  for _, thread in ipairs(threads) do other = other + thread:get("unexpected") end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,'
      .. '"bad_status":%d,"socket_errors":%d,"unexpected_status":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    other))
end
