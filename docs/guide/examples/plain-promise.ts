import assert from 'node:assert/strict';
import { TimeoutError, gather, sleep, waitFor } from '@corio/core';

let finished = 0;

// Plain promise code: once called, it runs to the end whatever happens
// to its caller.
function plainWork(): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(() => {
      finished++;
      resolve();
    }, 50);
  });
}

// corio code: it stops at its first corio await once cancelled.
async function corioWork(): Promise<void> {
  await sleep(50);
  finished++;
}

// A promise is already running when waitFor sees it: waitFor can only
// stop waiting.
await assert.rejects(waitFor(plainWork(), 5), TimeoutError);
// A thunk is started as a task by waitFor, so waitFor can cancel it.
await assert.rejects(
  waitFor(() => corioWork(), 5),
  TimeoutError,
);

// gather likewise: functions become tasks that cancelling the gather
// cancels.
const all = gather([() => corioWork(), () => corioWork()]);
await sleep(1);
all.cancel();

await sleep(100);
// only the abandoned plain promise ran to its end
assert.equal(finished, 1);
