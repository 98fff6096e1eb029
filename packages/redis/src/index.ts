export { RedisSemaphore } from './redis-semaphore.js';
export type { RedisGuard, RedisSemaphoreOptions } from './redis-semaphore.js';
export { redisLimiter } from './redis-limiter.js';
export type { RedisLimitFunction, RedisLimiterOptions } from './redis-limiter.js';
export type { RedisConnection } from './connection.js';
