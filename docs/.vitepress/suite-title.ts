// The heading of a results suite: the package it measures, and what of it when a package has
// several suites (`http-24.json` measures @corio/streams serving HTTP).
const TITLES: Readonly<Record<string, string>> = {
  http: '@corio/streams: an HTTP server',
  'redis-limiter': '@corio/redis: limiter',
  'redis-executor': '@corio/redis: executor',
};

/** `core` → `@corio/core`; `redis-limiter` → `@corio/redis: limiter`. */
export function suiteTitle(suite: string): string {
  return TITLES[suite] ?? `@corio/${suite}`;
}
