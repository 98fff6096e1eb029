import assert from 'node:assert/strict';
import {
  CancelledError,
  createTask,
  isCancelledError,
  sleep,
} from '@corio/core';

const worker = createTask(async () => {
  console.log('worker: step 1');
  try {
    await sleep(60_000); // suspended here when cancel() arrives
    console.log('worker: never printed');
  } catch (error) {
    if (isCancelledError(error)) {
      console.log(`worker: cancelled (${error.message}), cleaning up`);
    }
    throw error; // let it escape: the task ends cancelled
  }
});

await sleep(0); // the worker starts and suspends in sleep()
worker.cancel('shutting down');
assert.ok(
  (await worker.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.equal(worker.cancelled(), true);
