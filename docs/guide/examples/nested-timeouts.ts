import assert from 'node:assert/strict';
import {
  CancelledError,
  TimeoutError,
  createTask,
  sleep,
  timeout,
} from '@corio/core';

// The outer deadline passes first: the inner scope lets the
// CancelledError through, and only the outer scope turns it into a
// TimeoutError.
let innerSaw: unknown;
const outer = await timeout(20, async () => {
  try {
    await timeout(60_000, () => sleep(120_000));
  } catch (error) {
    innerSaw = error;
    throw error;
  }
}).catch((e: unknown) => e);
assert.ok(innerSaw instanceof CancelledError);
assert.ok(outer instanceof TimeoutError);

// A cancellation from outside is never turned into a TimeoutError.
const task = createTask(() => timeout(60_000, () => sleep(120_000)));
await sleep(1);
task.cancel();
assert.ok(
  (await task.catch((e: unknown) => e)) instanceof CancelledError,
);
