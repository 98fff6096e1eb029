// A throwaway redis-server per test file: Debian's package, on a free port of 127.0.0.1, no
// persistence (the Redis recipe's helper).
import { afterAll, beforeAll } from 'vitest';
import type { RedisServer } from '../../../docs/test/recipes-helpers.js';
import { startRedis } from '../../../docs/test/recipes-helpers.js';

/** Starts a redis-server before the file's tests and stops it after them. */
export function useRedisServer(): { readonly port: number } {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get port(): number {
      if (server === undefined) throw new Error('redis-server has not started yet');
      return server.port;
    },
  };
}
