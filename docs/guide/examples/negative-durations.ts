import assert from 'node:assert/strict';
import { TimeoutError, createTask, sleep, timeout, waitFor } from '@corio/core';

await sleep(-1); // the same as sleep(0)
const work = createTask(() => sleep(60_000));
await assert.rejects(waitFor(work, -1), TimeoutError); // cancels at once
assert.equal(work.cancelled(), true);
await assert.rejects(
  timeout(-1, () => sleep(1)),
  TimeoutError,
); // at the first await
await assert.rejects(sleep(Number.NaN), RangeError);
