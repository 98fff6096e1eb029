import assert from 'node:assert/strict';
import { gather, run, sleep } from '@corio/core';
import { RedisSemaphore, redisLimiter } from '@corio/redis';
import { Redis } from 'ioredis';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// The partner API allows 2 calls at once, from all instances of the service
// together. Each instance (a process of its own in production; three
// connections stand in for them here) makes its calls through the same
// named limit.
let inFlight = 0;
let mostAtOnce = 0;
async function callPartnerApi(
  instance: string,
  n: number,
): Promise<string> {
  mostAtOnce = Math.max(mostAtOnce, ++inFlight);
  try {
    await sleep(20); // the request
    return `${instance}${String(n)}`;
  } finally {
    inFlight--;
  }
}

await run(async () => {
  const instances = ['a', 'b', 'c'].map((name) => ({
    name,
    limit: redisLimiter(2, { connection: url, name: 'partner-api' }),
  }));
  try {
    // 1. Nine calls, three per instance: never more than 2 at once.
    const calls = instances.flatMap(({ name, limit }) =>
      [1, 2, 3].map((n) => limit(callPartnerApi, name, n)),
    );
    // 2. One call is no longer wanted while it waits: it leaves the queue
    //    in Redis and never runs.
    const unwanted = instances[0]?.limit(callPartnerApi, 'x', 0);
    unwanted?.cancel();
    const results = await gather(calls);
    console.log(
      `${String(results.length)} calls: ${results.join(' ')}`,
    );
    console.log(
      `at most ${String(mostAtOnce)} at once across 3 instances`,
    );
    assert.equal(unwanted?.cancelled(), true);
  } finally {
    await Promise.all(instances.map(({ limit }) => limit.close()));
  }

  // 3. An instance dies holding a permit: it comes back after the lease
  //    (500 ms here; 30 s by default), renewed while its holder lives.
  const dying = new Redis(url);
  const crashed = new RedisSemaphore({
    connection: dying,
    name: 'partner-api',
    limit: 2,
    leaseMs: 500,
  });
  await crashed.acquire();
  dying.disconnect(); // no release, no renewal: as if the process died
  await using survivor = new RedisSemaphore({
    connection: url,
    name: 'partner-api',
    limit: 2,
  });
  await survivor.acquire();
  await survivor.acquire(); // the dead instance's
  console.log("the dead instance's permit came back after its lease");
  survivor.release();
  survivor.release();
  await crashed.close();
});
