-- wrk: POST / with the seed producer's job, a different user each request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/", nil,
    '{"imageUrl":"https://example.com/img/' .. n .. '.jpg","userId":"user-' .. (n % 100) .. '"}')
end
