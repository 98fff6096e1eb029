import assert from 'node:assert/strict';
import {
  createTask,
  currentTask,
  gather,
  run,
  sleep,
} from '@corio/core';

async function fetchNumber(n: number): Promise<number> {
  await sleep(10 * n); // a corio await: a cancellation point
  return n;
}

const results = await run(async () => {
  // A task starts soon after it is created (never synchronously inside
  // createTask).
  const greeter = createTask(
    () => `hello from ${String(currentTask()?.name)}`,
    {
      name: 'greeter',
    },
  );
  console.log(await greeter);

  // gather: run several at once, results in input order. Pass
  // functions, not promises: each function becomes a task that gather
  // can cancel.
  return await gather([3, 1, 2].map((n) => () => fetchNumber(n)));
});

console.log(`results: ${results.join(', ')}`);
assert.deepEqual(results, [3, 1, 2]);
