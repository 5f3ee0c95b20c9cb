-- wrk script for scripts/serve-load.py: requests the index and decision pages in turn, and
-- checks each response: status 200, a whole page (ends with </html>), and one revision per
-- decision (k<n>rev<r> markers all agree), so that no page mixes an old build and a new one.
local paths = {}
for p in string.gmatch(os.getenv("ADRSITE_LOAD_PATHS") or "/", "[^,]+") do paths[#paths + 1] = p end

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  n, bad_status, truncated, mixed, checked = 0, 0, 0, 0, 0
  first_mixed = ""
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n + id) % #paths + 1])
end

function response(status, headers, body)
  if status ~= 200 then bad_status = bad_status + 1 return end
  if not string.find(body, "</html>%s*$") then truncated = truncated + 1 return end
  local seen = {}
  for k, r in string.gmatch(body, "k(%d+)rev(%d+)") do
    if seen[k] and seen[k] ~= r then
      mixed = mixed + 1
      if first_mixed == "" then first_mixed = "k" .. k .. ": rev " .. seen[k] .. " and " .. r end
      return
    end
    seen[k] = r
  end
  checked = checked + 1
end

function done(summary, latency, requests)
  local t = { bad_status = 0, truncated = 0, mixed = 0, checked = 0, first_mixed = "" }
  for _, thread in ipairs(threads) do
    t.bad_status = t.bad_status + thread:get("bad_status")
    t.truncated = t.truncated + thread:get("truncated")
    t.mixed = t.mixed + thread:get("mixed")
    t.checked = t.checked + thread:get("checked")
    if t.first_mixed == "" then t.first_mixed = thread:get("first_mixed") end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d checked=%d non200=%d truncated=%d mixed=%d connect=%d read=%d write=%d timeout=%d status=%d first_mixed=%s\n",
    summary.requests, t.checked, t.bad_status, t.truncated, t.mixed, e.connect, e.read, e.write, e.timeout, e.status,
    t.first_mixed))
end
