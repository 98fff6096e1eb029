import assert from 'node:assert/strict';
import {
  createTask,
  currentTask,
  isCancelledError,
  sleep,
} from '@corio/core';

const task = createTask(async () => {
  const me = currentTask();
  if (me === undefined) throw new Error('not in a task');
  try {
    await sleep(60_000);
  } catch (error) {
    if (!isCancelledError(error)) throw error;
    assert.equal(me.cancelling(), 1); // one request outstanding
    // the signal stays aborted after a caught cancel
    assert.equal(me.signal.aborted, true);
    me.uncancel(); // the request is handled: withdraw it
    assert.equal(me.cancelling(), 0);
    // back to zero: a fresh signal
    assert.equal(me.signal.aborted, false);
  }
  await sleep(1); // a delivered cancellation is not delivered again
  return 'recovered';
});

await sleep(0);
task.cancel();
assert.equal(await task, 'recovered');
assert.equal(task.cancelled(), false);
