import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CancelledError,
  createTask,
  currentTask,
  sleep,
} from '@corio/core';

// timers/promises (like events.once and fs) rejects with an AbortError
// whose cause is the task's CancelledError. The task still ends
// cancelled.
let seen: unknown;
const napping = createTask(async () => {
  try {
    await delay(60_000, undefined, { signal: currentTask()?.signal });
  } catch (error) {
    seen = error;
    throw error;
  }
});
await sleep(0);
napping.cancel('enough');
assert.ok(
  (await napping.catch((e: unknown) => e)) instanceof CancelledError,
);
assert.ok(seen instanceof Error && seen.name === 'AbortError');
assert.ok(
  seen.cause instanceof CancelledError &&
    seen.cause.message === 'enough',
);

// fetch rejects with the signal's reason itself: the task's
// CancelledError.
const server = createServer(() => {
  // Never answers.
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
const download = createTask(async () => {
  const response = await fetch(`http://127.0.0.1:${String(port)}/`, {
    signal: currentTask()?.signal,
  });
  return await response.text();
});
await sleep(0);
download.cancel();
assert.ok(
  (await download.catch((e: unknown) => e)) instanceof CancelledError,
);
server.closeAllConnections();
server.close();
