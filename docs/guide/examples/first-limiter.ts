import assert from 'node:assert/strict';
import { CancelledError, limiter, run, sleep } from '@corio/core';

// at most two calls at once, the others wait in FIFO order
const limit = limiter(2);
let running = 0;
let most = 0;

async function download(id: number): Promise<string> {
  most = Math.max(most, ++running);
  try {
    await sleep(5);
    return `file-${String(id)}`;
  } finally {
    running--;
  }
}

await run(async () => {
  const files = await limit.map([1, 2, 3, 4, 5], download);
  assert.deepEqual(files, [
    'file-1',
    'file-2',
    'file-3',
    'file-4',
    'file-5',
  ]);
  assert.equal(most, 2);

  // Each call returns a Task: cancelling a queued call removes it, and
  // it never runs.
  const first = limit(download, 6);
  const second = limit(download, 7);
  const third = limit(download, 8); // queued: two calls are running
  assert.equal(limit.pendingCount, 1);
  third.cancel();
  assert.equal(limit.pendingCount, 0);
  assert.deepEqual(await Promise.all([first, second]), [
    'file-6',
    'file-7',
  ]);
  assert.ok(
    (await third.catch((e: unknown) => e)) instanceof CancelledError,
  );
});
