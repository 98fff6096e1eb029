import assert from 'node:assert/strict';
import {
  Queue,
  TimeoutError,
  run,
  sleep,
  taskGroup,
  timeout,
} from '@corio/core';

async function worker(
  name: string,
  queue: Queue<number>,
  done: string[],
): Promise<void> {
  for (;;) {
    const job = await queue.get();
    await sleep(job); // durations are milliseconds
    done.push(`${name}:${String(job)}`);
    queue.taskDone();
  }
}

const done: string[] = [];
await run(async () => {
  const queue = new Queue<number>();
  for (const job of [3, 1, 2]) queue.putNowait(job);
  try {
    await timeout(5_000, () =>
      taskGroup(async (tg) => {
        const workers = ['w1', 'w2'].map((name) =>
          tg.createTask(() => worker(name, queue, done)),
        );
        await queue.join();
        for (const task of workers) task.cancel();
      }),
    );
  } catch (error) {
    if (error instanceof TimeoutError) console.error('too slow');
    throw error;
  }
});
assert.equal(done.length, 3);
