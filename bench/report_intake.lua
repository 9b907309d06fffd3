-- wrk script: POST varied public reports to the API; done() prints one JSON line.
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
