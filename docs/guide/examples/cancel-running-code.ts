import assert from 'node:assert/strict';
import {
  CancelledError,
  createTask,
  currentTask,
  sleep,
} from '@corio/core';

// A promise corio knows nothing about: awaiting it is not a
// cancellation point.
let release = (): void => undefined;
const foreign = new Promise<void>((resolve) => {
  release = resolve;
});

const steps: string[] = [];
const task = createTask(async () => {
  const signal = currentTask()?.signal;
  await foreign; // cancel() arrives while the task waits here
  const aborted = String(signal?.aborted);
  steps.push(`after the foreign promise, signal.aborted = ${aborted}`);
  await sleep(0); // the next corio await: CancelledError is thrown here
  steps.push('never reached');
});

await sleep(0);
task.cancel();
// still waiting for the foreign promise
assert.equal(task.done(), false);
release();
assert.ok(
  (await task.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.deepEqual(steps, [
  'after the foreign promise, signal.aborted = true',
]);
