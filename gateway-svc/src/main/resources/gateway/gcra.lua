-- One rate-limit decision over several buckets at once (GCRA). A request is admitted only if every
-- bucket admits it, and then every bucket is charged; a refused request charges none.
-- KEYS[i]: bucket; ARGV[2i-1]: limit (requests per period); ARGV[2i]: period in ms.
-- Returns {admitted (1|0), retry_after_ms, remaining_1, reset_ms_1, remaining_2, reset_ms_2, ...}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local admitted = 1
local retry = 0
local next_tat = {}
local out = {}
for i = 1, n do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local interval = period / limit
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  local candidate = tat + interval
  -- a thousandth of a millisecond absorbs floating error, so the limit-th request is never refused
  if candidate - now > period + 0.001 then
    admitted = 0
    local wait = candidate - now - period
    if wait > retry then retry = wait end
    next_tat[i] = tat
  else
    next_tat[i] = candidate
  end
end
for i = 1, n do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local interval = period / limit
  local used = next_tat[i] - now
  if admitted == 1 then
    redis.call('SET', KEYS[i], string.format('%.3f', next_tat[i]), 'PX', math.max(1, math.ceil(used)))
  end
  local remaining = math.floor((period - used) / interval + 0.000001)
  if remaining < 0 then remaining = 0 end
  out[2 * i - 1] = remaining
  out[2 * i] = math.ceil(used)
end
local result = {admitted, math.ceil(retry)}
for i = 1, #out do result[#result + 1] = out[i] end
return result
