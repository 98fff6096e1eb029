import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

const digests = new Map<string, string>();

/**
 * Runs a Lua script by its SHA1 (EVALSHA), loading it with EVAL the first time a server does not
 * know it (a new or flushed server): the script text travels once per server, not per call.
 */
export async function runScript(
  client: Redis,
  script: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  let sha = digests.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    digests.set(script, sha);
  }
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script, keys.length, ...keys, ...args);
  }
}
