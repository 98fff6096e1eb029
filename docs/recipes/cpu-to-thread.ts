import assert from 'node:assert/strict';
import { TimeoutError, gather, run, waitFor } from '@corio/core';
import { toThread } from '@corio/executor';

// CPU-bound and self-contained (it runs in a worker: no variables from
// outside, no closures).
function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

await run(async () => {
  // Two halves at once, in two worker threads of the default pool; the
  // event loop stays free.
  const [low, high] = await gather([
    toThread(countPrimes, 0, 150_000),
    toThread(countPrimes, 150_000, 300_000),
  ]);
  const sum = `${String(low)} + ${String(high)}`;
  console.log(`primes below 300,000: ${String(low + high)} (${sum})`);
  assert.equal(low + high, 25_997);

  // A job that would run for hours, under a 100 ms limit: on expiry the
  // job's future is cancelled. This job does not listen for that, so its
  // worker is terminated after the pool's cancelGraceMs (a fresh one
  // takes its place in the pool).
  try {
    await waitFor(toThread(countPrimes, 0, 1e12), 100);
    assert.fail('unreachable');
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    console.log(
      'the endless job timed out and its worker was terminated',
    );
  }
  // When main ends, run() shuts the default pool down: the program
  // exits by itself.
});
