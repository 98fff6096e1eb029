import assert from 'node:assert/strict';
import { pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { createTask, run, sleep } from '@corio/core';
import {
  WorkerPoolExecutor,
  runInExecutor,
  workerFunction,
} from '@corio/executor';

// A blocking call from a library, named by module and export: each
// worker imports it itself. (A `file:` URL works the same:
// workerFunction(new URL('./legacy.js', import.meta.url), 'name').)
const pbkdf2InWorker = workerFunction<typeof pbkdf2Sync>(
  'node:crypto',
  'pbkdf2Sync',
);

const ITERATIONS = 200_000;

await run(async () => {
  // Counts how often the event loop gets a turn (every 5 ms) while the
  // hash is computed.
  let ticks = 0;
  const ticker = createTask(async () => {
    for (;;) {
      await sleep(5);
      ticks++;
    }
  });
  await sleep(0); // let the ticker start

  // On the main thread: the loop is blocked for the whole call; nothing
  // else can run.
  let before = ticks;
  const direct = pbkdf2Sync(
    'correct horse',
    'salt',
    ITERATIONS,
    32,
    'sha256',
  );
  const ticked = String(ticks - before);
  console.log(
    `on the main thread: the event loop ticked ${ticked} times`,
  );

  // In a worker: the same call, while the event loop goes on serving.
  await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
  before = ticks;
  const offloaded = await runInExecutor(
    pool,
    pbkdf2InWorker,
    'correct horse',
    'salt',
    ITERATIONS,
    32,
    'sha256',
  );
  const kept = String(ticks > before);
  console.log(`in a worker: the event loop kept ticking: ${kept}`);

  // The result crossed threads by structured clone: a Buffer arrives as
  // a Uint8Array.
  assert.ok(timingSafeEqual(direct, offloaded));
  const hex = Buffer.from(offloaded).toString('hex');
  console.log(`same key both ways: ${hex.slice(0, 16)}...`);
  ticker.cancel(); // (run() would cancel it anyway when main ends)
}); // `await using`: the pool is shut down here, its workers ended
