-- wrk script: POST one fixed GraphQL body (JSON) to the URL, over and over.
--
--   wrk -t2 -c16 -d10s -s bench/peer/post.lua http://127.0.0.1:5679/graphql -- /tmp/peer-body.json
--   wrk ... -s bench/peer/post.lua http://127.0.0.1:8124/graphql -- /tmp/our-body.json "Authorization: Bearer TOKEN"
--
-- The body comes from the first script argument (a file path), else from the file named by
-- WRK_BODY_FILE, else from WRK_BODY itself. Further arguments are extra "Name: value" headers.
-- With WRK_CHECK_ERRORS=1, responses whose body holds "errors" (or with status >= 400) are
-- counted and reported at the end (costs a little client CPU per response).

local function read_file(path)
  local file, err = io.open(path, "rb")
  if not file then
    error("post.lua: cannot read body file " .. tostring(path) .. ": " .. tostring(err))
  end
  local data = file:read("*a")
  file:close()
  return data
end

local prepared = nil

function init(args)
  local body
  if args[1] and args[1] ~= "" then
    body = read_file(args[1])
  elseif os.getenv("WRK_BODY_FILE") then
    body = read_file(os.getenv("WRK_BODY_FILE"))
  else
    body = os.getenv("WRK_BODY")
  end
  if not body or body == "" then
    error("post.lua: no body (pass a file after --, or set WRK_BODY_FILE or WRK_BODY)")
  end
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  for i = 2, #args do
    local name, value = args[i]:match("^%s*([^:]+):%s*(.*)$")
    if not name then
      error("post.lua: header argument must look like 'Name: value', got " .. args[i])
    end
    headers[name] = value
  end
  prepared = wrk.format("POST", nil, headers, body)
end

function request()
  return prepared
end

if os.getenv("WRK_CHECK_ERRORS") == "1" then
  local threads = {}
  bad = 0
  first_bad = nil

  function setup(thread)
    table.insert(threads, thread)
  end

  function response(status, headers, body)
    if status >= 400 or (body and body:find('"errors"', 1, true)) then
      bad = bad + 1
      if not first_bad then
        first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 300)
      end
    end
  end

  function done(summary, latency, requests)
    local total, sample = 0, nil
    for _, thread in ipairs(threads) do
      total = total + (thread:get("bad") or 0)
      sample = sample or thread:get("first_bad")
    end
    io.write(string.format("post.lua: %d responses with errors or HTTP status >= 400\n", total))
    if sample then
      io.write("post.lua: first one: " .. sample .. "\n")
    end
  end
end
