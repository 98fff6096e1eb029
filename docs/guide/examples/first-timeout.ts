import assert from 'node:assert/strict';
import {
  TimeoutError,
  run,
  sleep,
  timeout,
  waitFor,
} from '@corio/core';

await run(async () => {
  // waitFor: one awaitable, one limit. At the deadline the work is
  // cancelled, waited for, and TimeoutError is thrown.
  let finished = false;
  const slow = async (): Promise<void> => {
    await sleep(60_000);
    finished = true;
  };
  await assert.rejects(waitFor(slow, 20), TimeoutError);
  // cancelled at its await, not abandoned
  assert.equal(finished, false);

  // timeout: a deadline around a block of code.
  const value = await timeout(5_000, async () => {
    await sleep(1);
    return 'in time';
  });
  assert.equal(value, 'in time');
});
