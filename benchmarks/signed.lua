-- wrk: POST the signed Twilio requests of a file, one line each ("<signature> <form body>"), each once.
-- Thread k of n sends lines k, k+n, k+2n...: no CallSid is sent twice while the file lasts.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  path, total, path_url = args[1], tonumber(args[2]), args[3]
  lines = {}
  for line in io.lines(path) do lines[#lines + 1] = line end
  index = id + 1
end

function request()
  local line = lines[index]
  index = index + total
  if index > #lines then index = id + 1 end
  local space = line:find(" ", 1, true)
  return wrk.format("POST", path_url, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = line:sub(1, space - 1),
  }, line:sub(space + 1))
end
