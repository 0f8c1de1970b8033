-- Sets the available quantity of a sku, keeping what is reserved, and creates the stock
-- record (reserved 0) when there is none.
--
-- KEYS[1]  the stock hash (inventory:stock:<sku>)
-- ARGV[1]  the available quantity, a non-negative decimal integer
--
-- Returns {available, reserved}.

redis.call('HSET', KEYS[1], 'available', ARGV[1])
redis.call('HSETNX', KEYS[1], 'reserved', '0')
return redis.call('HMGET', KEYS[1], 'available', 'reserved')
