-- wrk script of bench/registry_bench.py: GET <prefix><random certificate number><suffix>.
-- Arguments (after --): numbers file, prefix, suffix. A constant path when the file is "-".
-- done() prints one JSON line with throughput, latency percentiles (microseconds) and errors.
local numbers, prefix, suffix = {}, "/", ""

function init(args)
  prefix, suffix = args[2] or "/", args[3] or ""
  if args[1] and args[1] ~= "-" then
    for line in io.lines(args[1]) do numbers[#numbers + 1] = line end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  if #numbers == 0 then return wrk.format("GET", prefix) end
  return wrk.format("GET", prefix .. numbers[math.random(#numbers)] .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"mean_us":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
