-- wrk script of tests/cli/serve_load.sh: a mix of resolve (patched object
-- and not runnable), check against one, two and labelled profiles, and
-- malformed objects; every answer's status is counted, and one outside
-- 200/400/422 is unexpected. Environment: KSR_HID, KSR_FID (identities),
-- KSR_OBJS (directory of the BPF objects), KSR_JUNK (a malformed object).
local function slurp(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local hid, fid = os.getenv("KSR_HID"), os.getenv("KSR_FID")
local dir = os.getenv("KSR_OBJS")
local kfuncs = slurp(dir .. "/kfuncs.bpf.o")
local weak = slurp(dir .. "/weak.bpf.o")
local typeless = slurp(dir .. "/typeless.bpf.o")
local junk = slurp(os.getenv("KSR_JUNK"))
local octet = { ["Accept"] = "application/octet-stream" }
local plain = {}

local reqs
local i = 0
-- globals: what done() reads from each thread (thread:get)
s200, s400, s422, unexpected = 0, 0, 0, 0

function init(args)
  reqs = {
    wrk.format("POST", "/v1/resolve?profile=" .. hid, octet, kfuncs),       -- 200, the object
    wrk.format("POST", "/v1/resolve?profile=" .. fid, octet, kfuncs),       -- 422
    wrk.format("POST", "/v1/check?profile=" .. hid .. "&profile=" .. fid, plain, kfuncs),
    wrk.format("POST", "/v1/check?label=fleet=a&format=text&object=w.o", plain, weak),
    wrk.format("POST", "/v1/check?profile=" .. hid, plain, typeless),
    wrk.format("POST", "/v1/check?profile=" .. hid, plain, junk),           -- 400
    wrk.format("POST", "/v1/resolve?profile=" .. hid, plain, junk),         -- 400
    wrk.format("POST", "/v1/resolve?profile=" .. hid, plain, weak),         -- the report
  }
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body)
  if status == 200 then s200 = s200 + 1
  elseif status == 400 then s400 = s400 + 1
  elseif status == 422 then s422 = s422 + 1
  else unexpected = unexpected + 1 end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local total, c200, c400, c422, bad = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c200 = c200 + t:get("s200")
    c400 = c400 + t:get("s400")
    c422 = c422 + t:get("s422")
    bad = bad + t:get("unexpected")
  end
  total = c200 + c400 + c422 + bad
  io.write(string.format("KSR_STATUS total=%d s200=%d s400=%d s422=%d unexpected=%d\n",
                         total, c200, c400, c422, bad))
  io.write(string.format("KSR_ERRORS connect=%d read=%d write=%d status=%d timeout=%d\n",
                         summary.errors.connect, summary.errors.read, summary.errors.write,
                         summary.errors.status, summary.errors.timeout))
  io.write(string.format("KSR_LATENCY p50_us=%d p99_us=%d max_us=%d rps=%.0f\n",
                         latency:percentile(50), latency:percentile(99), latency.max,
                         summary.requests / (summary.duration / 1e6)))
end
