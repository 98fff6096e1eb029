// The Lua scripts of RedisSemaphore. Each runs atomically in Redis, on the semaphore's keys (one
// hash tag, so they live on one Cluster slot):
//   holders  ZSET token -> lease expiry (ms, Redis clock)
//   queue    ZSET token -> ticket (FIFO order of arrival)
//   alive    ZSET token -> expiry of a waiter's heartbeat (a crashed waiter leaves the queue)
//   tickets  STRING, the last ticket handed out
// and a channel: LEAVE names on it the waiters it hands a permit to; ACQUIRE publishes 'purged'
// when leases that ran out may let waiters in.
//
// Invariants: a token is in holders or in queue, never both; a waiter is let in only while
// fewer than `limit` tokens hold a permit and fewer than the free permits wait ahead of it, so
// permits go in order of arrival across every process.

/** Redis's own clock in ms: every process compares leases against the same time. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Drops holders whose lease ran out and waiters whose heartbeat stopped; 1 if any went. */
const PURGE = `local function purge()
  local changed = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  for _, token in ipairs(gone) do redis.call('ZREM', KEYS[2], token) end
  if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now) end
  return changed + #gone
end`;

/**
 * ACQUIRE keys: holders, queue, alive, tickets; args: token, limit, leaseMs, channel.
 * Returns {1, 0} when the token holds a permit (now or already), else {0, ms}: the token is in
 * the queue (its heartbeat renewed) and `ms` is when the first lease runs out, the latest to try
 * again if nothing is published before.
 */
export const ACQUIRE = `${NOW}
${PURGE}
local token, limit, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local purged = purge()
if redis.call('ZSCORE', KEYS[1], token) then
  redis.call('ZADD', KEYS[1], now + lease, token)
  return {1, 0}
end
if not redis.call('ZSCORE', KEYS[2], token) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), token)
end
local free = limit - redis.call('ZCARD', KEYS[1])
if redis.call('ZRANK', KEYS[2], token) < free then
  redis.call('ZREM', KEYS[2], token)
  redis.call('ZREM', KEYS[3], token)
  redis.call('ZADD', KEYS[1], now + lease, token)
  if purged > 0 and redis.call('ZCARD', KEYS[2]) > 0 then
    redis.call('PUBLISH', ARGV[4], 'purged')
  end
  return {1, 0}
end
redis.call('ZADD', KEYS[3], now + lease, token)
if purged > 0 and redis.call('ZCARD', KEYS[2]) > 1 then
  redis.call('PUBLISH', ARGV[4], 'purged')
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = lease
if first[2] then wait = math.max(1, tonumber(first[2]) - now) end
return {0, wait}`;

/**
 * LEAVE keys: holders, queue, alive; args: token, channel, limit, leaseMs. The token gives up
 * whatever it has: its permit (a release, or one granted in the same instant as a cancel) or its
 * place in the queue. A permit that comes free goes at once to the first waiters, which are
 * named on the channel (their processes resolve them without another round trip). Returns the
 * tokens granted.
 */
export const LEAVE = `local held = redis.call('ZREM', KEYS[1], ARGV[1])
local queued = redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if held + queued == 0 then return {} end
local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
if free < 1 then return {} end
local first = redis.call('ZRANGE', KEYS[2], 0, free - 1)
if #first == 0 then return {} end
${NOW}
for _, token in ipairs(first) do
  redis.call('ZREM', KEYS[2], token)
  redis.call('ZREM', KEYS[3], token)
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), token)
end
redis.call('PUBLISH', ARGV[2], table.concat(first, ' '))
return first`;

/**
 * RENEW keys: holders; args: leaseMs, token... Extends the leases of the tokens that still hold
 * a permit; returns how many of them had lost it (their lease ran out first).
 */
export const RENEW = `${NOW}
local lost = 0
for i = 2, #ARGV do
  if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i]) == 0 then
    if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then lost = lost + 1 end
  end
end
return lost`;

/**
 * HEARTBEAT keys: queue, alive; args: leaseMs, token... Keeps the given tokens that still wait
 * in the queue: a process that stops beating (it crashed) loses its places after leaseMs.
 */
export const HEARTBEAT = `${NOW}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), ARGV[i])
  end
end
return 0`;

/** COUNT keys: holders; args: none. How many permits are held now (leases not run out). */
export const COUNT = `${NOW}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`;
