-- POSTs one JSON body, read from a file, on every request, and prints the results as one
-- machine-readable line (bench/wrk_load.py parses it):
--
--   wrk -t2 -c16 -d10s -s bench/wrk/post.lua URL -- BODY_FILE [AUTHORIZATION] [--count-non-2xx]
--
-- With WRK_SPLIT_PORTS=8303,8305 in the environment, thread i connects to the i-th port
-- (round robin) of the URL's host: one run over several server processes (B1's scale).
--
-- AUTHORIZATION is the whole header value, e.g. "Bearer xyz". Without --count-non-2xx,
-- non_2xx is wrk's own count of statuses > 399 (summary.errors.status): defining
-- response() makes wrk parse every response's headers and body, which costs client CPU.
-- With it, every status outside 200-299 is counted, 3xx included.
--
-- Output: WRK_RESULT {"requests": ..., "duration_us": ..., "rps": ...,
--   "errors": {"connect": ..., "read": ..., "write": ..., "status": ..., "timeout": ...},
--   "non_2xx": ..., "non_2xx_counted": true|false,
--   "latency_us": {"p50": ..., "p90": ..., "p99": ..., "max": ..., "mean": ...}}

local threads = {}

local split_ports = {}
for port in string.gmatch(os.getenv("WRK_SPLIT_PORTS") or "", "%d+") do
   table.insert(split_ports, port)
end

function setup(thread)
   table.insert(threads, thread)
   if #split_ports > 0 then
      local port = split_ports[(#threads - 1) % #split_ports + 1]
      thread.addr = wrk.lookup(wrk.host, port)[1]
   end
end

local function read_file(path)
   local file = assert(io.open(path, "rb"), "cannot open body file " .. tostring(path))
   local content = file:read("*a")
   file:close()
   return content
end

function init(args)
   local positional = {}
   local count_non_2xx = false
   for _, arg in ipairs(args) do
      if arg == "--count-non-2xx" then
         count_non_2xx = true
      else
         table.insert(positional, arg)
      end
   end
   assert(positional[1], "usage: wrk ... -s post.lua URL -- BODY_FILE [AUTHORIZATION]")
   wrk.method = "POST"
   wrk.body = read_file(positional[1])
   wrk.headers["Content-Type"] = "application/json"
   if positional[2] and positional[2] ~= "" then
      wrk.headers["Authorization"] = positional[2]
   end
   non_2xx = 0
   counting_non_2xx = count_non_2xx  -- thread:get() cannot read functions, only values
   if count_non_2xx then
      -- A global: wrk only parses responses when `response` is set after init().
      response = function(status, headers, body)
         if status < 200 or status > 299 then
            non_2xx = non_2xx + 1
         end
      end
   end
end

function done(summary, latency, requests)
   local non_2xx_total = 0
   local counted = false
   for _, thread in ipairs(threads) do
      non_2xx_total = non_2xx_total + (thread:get("non_2xx") or 0)
      if thread:get("counting_non_2xx") then
         counted = true
      end
   end
   if not counted then
      non_2xx_total = summary.errors.status
   end
   local seconds = summary.duration / 1e6
   local errors = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests": %d, "duration_us": %d, "rps": %.3f, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"non_2xx": %d, "non_2xx_counted": %s, '
         .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
      summary.requests, summary.duration, summary.requests / seconds,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout,
      non_2xx_total, tostring(counted),
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean
   ))
end
