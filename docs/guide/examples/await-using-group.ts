import assert from 'node:assert/strict';
import {
  TaskGroup,
  TaskGroupError,
  createTask,
  sleep,
} from '@corio/core';

// The caveat of `await using`: disposal cannot see the body's own
// error.
let childFinished = false;
const failingBody = createTask(async () => {
  await using tg = new TaskGroup();
  tg.createTask(async () => {
    await sleep(20);
    // not cancelled: the group never heard of the body's error
    childFinished = true;
  });
  throw new Error('body failed');
});
const bodyError = await failingBody.catch((e: unknown) => e);
assert.ok(
  bodyError instanceof Error && bodyError.message === 'body failed',
);
assert.equal(childFinished, true);

// A child failure that interrupts the body arrives as a
// SuppressedError: `error` is the TaskGroupError, `suppressed` the
// body's CancelledError.
const failingChild = createTask(async () => {
  await using tg = new TaskGroup();
  tg.createTask(async () => {
    await sleep(1);
    throw new Error('child failed');
  });
  await sleep(60_000);
});
const error = (await failingChild.catch((e: unknown) => e)) as {
  name: string;
  error: unknown;
  suppressed: unknown;
};
assert.equal(error.name, 'SuppressedError');
assert.ok(error.error instanceof TaskGroupError);
