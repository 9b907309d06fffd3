-- wrk script: POST varied public reports to the API; done() prints one JSON line.
--
-- Without TARGET_RATE every connection sends its next report as soon as the answer to the
-- last one is in (a closed loop: the server's capacity). With TARGET_RATE (reports/s over
-- all connections) each wrk thread sends on a fixed schedule of its share of that rate, the
-- way independent clients arrive; a connection that is free waits for the next slot. When
-- all connections are busy a slot passes unsent and the next send is late: `late_sends`
-- and `max_lag_ms` show it, so a server that cannot keep up cannot hide behind a lower
-- offered load (coordinated omission).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end
local target_rate = tonumber(os.getenv("TARGET_RATE") or "")
local wrk_threads = tonumber(os.getenv("WRK_THREADS") or "2")
local anon_share = tonumber(os.getenv("ANON_SHARE") or "0.3")
local occurred_at = os.getenv("OCCURRED_AT")
local categories = {}
for code in string.gmatch(os.getenv("CATEGORIES"), "[^,]+") do table.insert(categories, code) end
local towns = {}
for slug in string.gmatch(os.getenv("MUNICIPALITIES"), "[^,]+") do table.insert(towns, slug) end
local streets = {"Grote Markt", "Ginnekenweg", "Havermarkt", "Dorpsstraat", "Industrieweg"}
local seq = 0


init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

-- Count answers other than 201 per thread (globals, so done() can read them).
local threads = {}
unexpected = 0
sends = 0
late_sends = 0
max_lag_ms = 0

if target_rate then
  local interval_ms = 1000 * wrk_threads / target_rate
  local next_slot = nil
  delay = function()
    local now = now_ms()
    if next_slot == nil then next_slot = now end
    local slot = next_slot
    next_slot = next_slot + interval_ms
    sends = sends + 1
    if slot < now - 1 then
      late_sends = late_sends + 1
      if now - slot > max_lag_ms then max_lag_ms = now - slot end
      return 0
    end
    return math.max(0, math.floor(slot - now + 0.5))
  end
end

setup = function(thread)
  table.insert(threads, thread)
end

response = function(status, headers, body)
  if status ~= 201 then unexpected = unexpected + 1 end
end

request = function()
  seq = seq + 1
  local anonymous = math.random() < anon_share
  local who = ""
  if not anonymous then
    who = string.format(',"reporter_email":"melder%d-%d@example.nl"', math.random(1, 1000000), seq)
  end
  local body = string.format(
    '{"municipality":"%s","category":"%s","description":"Verdachte situatie bij nummer %d: '
      .. 'twee personen laden midden in de nacht dozen in een busje zonder kenteken.",'
      .. '"occurred_at":"%s","location_text":"%s %d","anonymous":%s%s}',
    towns[math.random(#towns)], categories[math.random(#categories)], seq, occurred_at,
    streets[math.random(#streets)], math.random(1, 200), tostring(anonymous), who)
  return wrk.format("POST", "/api/v1/meldingen/", {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-Proto"] = "https",
    ["Accept"] = "application/json",
  }, body)
end

done = function(summary, latency, requests)
  local other, scheduled, late, lag = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    other = other + thread:get("unexpected")
    scheduled = scheduled + thread:get("sends")
    late = late + thread:get("late_sends")
    lag = math.max(lag, thread:get("max_lag_ms"))
  end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,'
      .. '"bad_status":%d,"socket_errors":%d,"unexpected_status":%d,'
      .. '"scheduled_sends":%d,"late_sends":%d,"max_lag_ms":%.1f}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    other, scheduled, late, lag))
end
