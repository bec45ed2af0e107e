-- Rotates signed-in people and paths: BENCH_TARGETS names a file of lines
-- "<cookie>\t<path>" (bench/run.py writes one per page). Counts the
-- responses that are not 2xx (wrk itself counts 3xx as success) and prints
-- one JSON line with the figures when done.
local targets = {}
for line in io.lines(os.getenv("BENCH_TARGETS")) do
  local cookie, path = line:match("^([^\t]*)\t(.*)$")
  if path then targets[#targets + 1] = {cookie = cookie, path = path} end
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

function init(args)
  index = id * 7919
  non2xx = 0
  statuses = {}
end

function request()
  index = index + 1
  local target = targets[(index % #targets) + 1]
  local headers = {}
  if target.cookie ~= "" then headers["Cookie"] = target.cookie end
  return wrk.format("GET", target.path, headers)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total = 0
  local codes = {}
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
    for status, count in pairs(thread:get("statuses")) do
      codes[#codes + 1] = string.format('"%d": %d', status, count)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "non2xx": %d, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, non2xx_total,
    e.connect + e.read + e.write + e.timeout, table.concat(codes, ", ")))
end
