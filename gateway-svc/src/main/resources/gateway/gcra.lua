-- One rate-limit decision over several buckets at once (GCRA). A request is admitted only if every
-- bucket that takes part admits it, and then every bucket is charged; a refused request charges none.
-- A bucket may also lease a share: tokens charged now and spent later by the calling instance
-- without asking again. Shares are granted per lease epoch (ARGV[1] ms of Redis's clock) and expire
-- with it; the tokens leased in one epoch, over every instance, never exceed the bucket's reserve.
-- KEYS[i]: bucket; ARGV[1]: lease epoch in ms; then five values per bucket, from ARGV[5i-3]:
--   limit (requests per period), period in ms, want (1: this request counts here, 0: only a lease),
--   lease (tokens asked for on top, 0 for none), reserve (most tokens leased per epoch).
-- Returns {admitted (1|0), retry_after_ms, epoch, epoch_left_ms,
--          remaining_1, reset_ms_1, granted_1, remaining_2, reset_ms_2, granted_2, ...};
-- granted_i counts this request's own token (when wanted) plus the leased ones.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local epoch_ms = tonumber(ARGV[1])
local epoch = math.floor(now / epoch_ms)
local epoch_left = (epoch + 1) * epoch_ms - now
local n = #KEYS
local admitted = 1
local retry = 0
local tats = {}
for i = 1, n do
  local b = 5 * i - 3
  local limit = tonumber(ARGV[b])
  local period = tonumber(ARGV[b + 1])
  local want = tonumber(ARGV[b + 2])
  local interval = period / limit
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  tats[i] = tat
  -- a thousandth of a millisecond absorbs floating error, so the limit-th request is never refused
  if want > 0 and tat + interval - now > period + 0.001 then
    admitted = 0
    local wait = tat + interval - now - period
    if wait > retry then retry = wait end
  end
end
local result = {admitted, math.ceil(retry), epoch, epoch_left}
for i = 1, n do
  local b = 5 * i - 3
  local limit = tonumber(ARGV[b])
  local period = tonumber(ARGV[b + 1])
  local want = tonumber(ARGV[b + 2])
  local lease = tonumber(ARGV[b + 3])
  local reserve = tonumber(ARGV[b + 4])
  local interval = period / limit
  local tat = tats[i]
  local granted = 0
  if admitted == 1 then
    granted = want
    if lease > 0 then
      local fits = math.floor((now + period + 0.001 - tat) / interval) - want
      local lease_key = KEYS[i] .. ':lease:' .. epoch
      local leased = tonumber(redis.call('GET', lease_key)) or 0
      local extra = math.min(lease, fits, reserve - leased)
      if extra > 0 then
        redis.call('SET', lease_key, leased + extra, 'PX', epoch_left + 1000)
        granted = granted + extra
      end
    end
    if granted > 0 then
      tat = tat + granted * interval
      redis.call('SET', KEYS[i], string.format('%.3f', tat), 'PX', math.max(1, math.ceil(tat - now)))
    end
  end
  local used = tat - now
  local remaining = math.floor((period - used) / interval + 0.000001)
  if remaining < 0 then remaining = 0 end
  result[#result + 1] = remaining
  result[#result + 1] = math.ceil(used)
  result[#result + 1] = granted
end
return result
