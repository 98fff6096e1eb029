import assert from 'node:assert/strict';
import {
  Queue,
  TimeoutError,
  createTask,
  sleep,
  timeout,
  waitFor,
} from '@corio/core';

await sleep(-1); // the same as sleep(0)
const work = createTask(() => sleep(60_000));
// cancels it at the next turn
await assert.rejects(waitFor(work, -1), TimeoutError);
assert.equal(work.cancelled(), true);
await assert.rejects(
  timeout(-1, () => sleep(1)),
  TimeoutError,
); // the body suspended: it times out
const queue = new Queue<string>();
queue.putNowait('ready');
// done without suspending: kept
assert.equal(await waitFor(queue.get(), 0), 'ready');
await assert.rejects(sleep(Number.NaN), RangeError);
