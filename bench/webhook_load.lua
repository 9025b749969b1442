-- wrk script for bench/webhook_load.sh: POSTs the AdmissionReview in
-- $REVIEW_FILE; with $PACE_MS set each connection waits a random 0..2x PACE_MS
-- between requests (mean PACE_MS), so 100 connections at 90 ms offer a little over
-- 1,000 requests/s without marching in step.
local f = assert(io.open(os.getenv("REVIEW_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local pace = tonumber(os.getenv("PACE_MS") or "0")

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed)
end

function delay()
  if pace <= 0 then return 0 end
  return math.random(0, 2 * pace)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
