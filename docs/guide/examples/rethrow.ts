import assert from 'node:assert/strict';
import {
  CancelledError,
  createTask,
  isCancelledError,
  sleep,
} from '@corio/core';

async function loadConfig(): Promise<string> {
  try {
    await sleep(60_000); // reading the file
    return 'from disk';
  } catch (error) {
    // never swallow a cancellation
    if (isCancelledError(error)) throw error;
    return 'defaults';
  }
}

async function loadConfigSwallowing(): Promise<string> {
  try {
    await sleep(60_000);
    return 'from disk';
  } catch {
    // a bug: the cancellation becomes a normal return
    return 'defaults';
  }
}

const good = createTask(loadConfig);
const bad = createTask(loadConfigSwallowing);
await sleep(0);
good.cancel();
bad.cancel();
assert.ok(
  (await good.catch((e: unknown) => e)) instanceof CancelledError,
);
// whoever cancelled it is never told
assert.equal(await bad, 'defaults');
assert.equal(bad.cancelled(), false);
