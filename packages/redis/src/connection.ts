import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { describeClient } from './internal/connection.js';

/**
 * Where Redis is: an ioredis client to share (corio never closes it), a `redis://` URL, or
 * ioredis options (corio makes a client and closes it again). BullMQ takes the same.
 *
 * A client corio makes gives up on a command after one reconnection attempt
 * (`maxRetriesPerRequest: 1`, unless the options say otherwise): a Redis that cannot be reached
 * is an error within about a second, not a wait forever.
 *
 * @example
 * ```ts
 * import type { RedisConnection } from '@corio/redis';
 *
 * const local: RedisConnection = 'redis://127.0.0.1:6379';
 * const options: RedisConnection = { host: '127.0.0.1', port: 6379 };
 * ```
 */
export type RedisConnection = Redis | RedisOptions | string;

/** A client to use, and whether corio made it (and so closes it). */
export interface Client {
  readonly redis: Redis;
  readonly own: boolean;
}

/** The client for `connection`. */
export function clientFor(connection: unknown, where: string): Client {
  if (connection instanceof Redis) return { redis: connection, own: false };
  let redis: Redis | undefined;
  if (typeof connection === 'string') redis = new Redis(connection, { maxRetriesPerRequest: 1 });
  else if (typeof connection === 'object' && connection !== null) {
    redis = new Redis({ maxRetriesPerRequest: 1, ...(connection as RedisOptions) });
  }
  if (redis !== undefined) {
    // Connection errors reach the callers through their commands (explainFailure); without a
    // listener ioredis would also print each reconnection attempt's error.
    redis.on('error', () => undefined);
    return { redis, own: true };
  }
  throw new TypeError(
    `${where}: 'connection' must be an ioredis client, a redis:// URL or ioredis options, received ${connection === null ? 'null' : typeof connection}`,
  );
}

/**
 * What a failed command becomes: Redis errors (a wrong type, a script error) as they are, a
 * connection that is not there as an Error that says where it tried to go.
 */
export function explainFailure(error: unknown, redis: Redis): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === 'ReplyError') return error;
  return new Error(`Cannot reach Redis at ${describeClient(redis)}: ${error.message}`, {
    cause: error,
  });
}
