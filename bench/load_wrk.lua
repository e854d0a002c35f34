-- wrk script of bench/load_test.py: a mix of public registry requests (no cookie) and enterprise
-- pages (with the enterprise user's session cookie), read from a file of "cookie|path" lines
-- ("-|path" for anonymous). done() prints one JSON line: requests, latency (µs), errors by kind.
local lines = {}

function init(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  local line = lines[math.random(#lines)]
  local cookie, path = line:match("^(.-)|(.*)$")
  local headers = {}
  if cookie ~= "-" then headers["Cookie"] = cookie end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
