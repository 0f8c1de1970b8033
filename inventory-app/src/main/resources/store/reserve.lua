-- Reserves the stock of one order, all items or none, once per order.
--
-- KEYS[1]        the order's reservation hash (inventory:reservation:<orderId>)
-- KEYS[1 + i]    the stock hash of the i-th distinct sku (inventory:stock:<sku>)
-- ARGV[1]        the eventId of the answer, should this call decide the outcome
-- ARGV[2]        its occurredAt (ISO-8601)
-- ARGV[3]        a rejection already decided by the caller (an invalid order), or ''
-- ARGV[2 + 2i]   the i-th sku (for the reason text)
-- ARGV[3 + 2i]   the quantity of the i-th sku, a positive decimal integer
--
-- Returns {replayed, status, eventId, occurredAt, reason}: replayed is '1' when the order
-- had been decided before (nothing changed now) and '0' when this call decided it; status
-- is RESERVED or REJECTED; reason is '' for RESERVED.
--
-- Stock hashes have fields 'available' and 'reserved'. Reserving moves the quantity from
-- 'available' to 'reserved'. A sku without an 'available' field has no stock record.
-- Numbers are compared as Lua numbers (doubles), exact up to 2^53, which the HTTP API
-- enforces for 'available'.

local decided = redis.call('HMGET', KEYS[1], 'status', 'eventId', 'occurredAt', 'reason')
if decided[1] then
  return {'1', decided[1], decided[2], decided[3], decided[4] or ''}
end

local reason = ARGV[3]
local skus = #KEYS - 1

-- Check everything before changing anything: all or nothing.
if reason == '' then
  for i = 1, skus do
    local sku = ARGV[2 + 2 * i]
    local requested = ARGV[3 + 2 * i]
    local available = redis.call('HGET', KEYS[1 + i], 'available')
    if not available then
      reason = 'unknown sku ' .. sku
      break
    end
    if tonumber(available) < tonumber(requested) then
      reason = 'insufficient stock for sku ' .. sku .. ': requested ' .. requested .. ', available ' .. available
      break
    end
  end
end

local status = 'RESERVED'
if reason ~= '' then
  status = 'REJECTED'
else
  for i = 1, skus do
    local requested = ARGV[3 + 2 * i]
    redis.call('HINCRBY', KEYS[1 + i], 'available', '-' .. requested)
    redis.call('HINCRBY', KEYS[1 + i], 'reserved', requested)
    -- What was reserved, so that a later release knows what to give back.
    redis.call('HSET', KEYS[1], 'item:' .. ARGV[2 + 2 * i], requested)
  end
end

redis.call('HSET', KEYS[1], 'status', status, 'eventId', ARGV[1], 'occurredAt', ARGV[2])
if reason ~= '' then
  redis.call('HSET', KEYS[1], 'reason', reason)
end
return {'0', status, ARGV[1], ARGV[2], reason}
