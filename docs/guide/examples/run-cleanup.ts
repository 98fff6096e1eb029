import assert from 'node:assert/strict';
import { createTask, run, sleep } from '@corio/core';

const result = await run(async () => {
  createTask(async () => {
    try {
      await sleep(60_000); // would keep the program alive for a minute
    } finally {
      console.log('background: cancelled, cleaning up');
    }
  });
  await sleep(1);
  console.log('main: done');
  return 42;
});

// run() cancelled the leftover task and waited for its cleanup before
// returning.
console.log(`run() returned ${String(result)}`);
assert.equal(result, 42);
