-- wrk script for scripts/bench.
--
--   wrk ... URL -- single METHOD BODY_BYTES
--       every request is METHOD on URL (a presigned URL), with a body of BODY_BYTES bytes
--       (the bytes of scripts/bench's 1 KiB object when BODY_BYTES is 1024; 0 for none).
--   wrk -tT ... URL -- pool METHOD BODY_BYTES FILE T MARKER
--       requests go to the paths in FILE (one presigned path?query per line), each once, shared
--       between the T threads by line number; when a thread has sent its share it creates the
--       file MARKER-<thread index> (scripts/bench then stops wrk with SIGINT) and starts again
--       from its first line, counting the extra requests as "wrapped".
--
-- done() prints one line, "wrk-json {...}", with the counts and latency percentiles (microseconds).

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("index", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

local function body_of(size)
   if size <= 0 then return nil end
   -- A fixed pattern: byte i is (i * 7 + 3) % 256, the same bytes scripts/bench uploads elsewhere.
   local parts = {}
   for i = 0, size - 1 do parts[#parts + 1] = string.char((i * 7 + 3) % 256) end
   return table.concat(parts)
end

local paths = nil
local next_path = 1
local body = nil
local method = "GET"
local exhausted = false
local marker = nil
index = 0  -- set by setup()
wrapped = 0
sent = 0

function init(args)
   local mode = args[1] or "single"
   method = args[2] or "GET"
   body = body_of(tonumber(args[3] or "0"))
   if mode == "pool" then
      local mine = {}
      local count = tonumber(args[5])
      local line_number = 0
      for line in io.lines(args[4]) do
         if line_number % count == index then mine[#mine + 1] = line end
         line_number = line_number + 1
      end
      paths = mine
      marker = args[6]
   else
      wrk.method = method
      wrk.body = body
      if body then wrk.headers["Content-Length"] = tostring(#body) end
   end
end

function request()
   sent = sent + 1
   if paths == nil then
      return wrk.request()
   end
   if next_path > #paths then
      next_path = 1
      if not exhausted and marker then
         local file = io.open(marker .. "-" .. index, "w")
         if file then file:close() end
      end
      exhausted = true
   end
   if exhausted then wrapped = wrapped + 1 end
   local path = paths[next_path]
   next_path = next_path + 1
   local headers = {}
   if body then headers["Content-Length"] = tostring(#body) end
   return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
   local total_wrapped = 0
   local total_sent = 0
   for _, thread in ipairs(threads) do
      total_wrapped = total_wrapped + (tonumber(thread:get("wrapped")) or 0)
      total_sent = total_sent + (tonumber(thread:get("sent")) or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'wrk-json {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
      '"write_errors": %d, "status_errors": %d, "timeouts": %d, "sent": %d, "wrapped": %d, ' ..
      '"latency_p50_us": %d, "latency_p99_us": %d, "latency_max_us": %d}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
      total_sent, total_wrapped, latency:percentile(50), latency:percentile(99), latency.max))
end
