import assert from 'node:assert/strict';
import { run } from '@corio/core';
import { WorkerPoolExecutor } from '@corio/executor';

// Self-contained (it runs in the workers): how many steps n takes to
// reach 1 in the Collatz sequence (halve it if even, else 3n + 1).
function collatzSteps(n: number): number {
  let steps = 0;
  for (let x = n; x !== 1; steps++) x = x % 2 === 0 ? x / 2 : 3 * x + 1;
  return steps;
}

function* numbersFrom(
  first: number,
  end = Infinity,
): Generator<number> {
  for (let n = first; n < end; n++) yield n;
}

await run(async () => {
  await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });

  // 299,999 inputs, 10,000 per job: one message per chunk rather than
  // per number. The results come back in input order, so the i-th
  // result belongs to the i-th number.
  let longest = { n: 1, steps: 0 };
  let n = 1;
  for await (const steps of pool.map(
    collatzSteps,
    numbersFrom(1, 300_000),
    {
      chunkSize: 10_000,
    },
  )) {
    if (steps > longest.steps) longest = { n, steps };
    n++;
  }
  const chain = `${String(longest.steps)} steps`;
  console.log(
    `longest chain below 300,000: ${String(longest.n)}, ${chain}`,
  );
  assert.equal(n, 300_000);

  // An endless input: map() reads it only as far ahead as the results
  // are consumed, and leaving the loop cancels the jobs still
  // outstanding.
  n = 1;
  for await (const steps of pool.map(collatzSteps, numbersFrom(1), {
    chunkSize: 1_000,
  })) {
    if (steps >= 300) break;
    n++;
  }
  console.log(
    `first number that takes 300 steps or more: ${String(n)}`,
  );
}); // `await using`: the pool shuts down here
