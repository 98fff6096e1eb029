import assert from 'node:assert/strict';
import {
  Queue,
  QueueShutDown,
  run,
  sleep,
  taskGroup,
} from '@corio/core';

const JOBS = 10;

await run(async () => {
  // Bounded: put() waits while 3 jobs are queued, so a fast producer
  // cannot run away.
  const queue = new Queue<number>(3);
  const processed: number[] = [];
  let mostQueued = 0;

  async function producer(): Promise<void> {
    for (let job = 1; job <= JOBS; job++) {
      await queue.put(job); // backpressure: waits for room
      mostQueued = Math.max(mostQueued, queue.qsize());
    }
    console.log(`producer: queued all ${String(JOBS)} jobs`);
  }

  async function consumer(): Promise<void> {
    for (;;) {
      let job: number;
      try {
        job = await queue.get();
      } catch (error) {
        // shut down and drained: stop
        if (error instanceof QueueShutDown) return;
        throw error; // CancelledError included
      }
      try {
        await sleep(5); // the work
        processed.push(job);
      } finally {
        queue.taskDone(); // for join()
      }
    }
  }

  // The group waits for both consumers; a failure in one would cancel
  // the rest.
  await taskGroup(async (tg) => {
    tg.createTask(consumer, { name: 'consumer-1' });
    tg.createTask(consumer, { name: 'consumer-2' });
    await producer();
    await queue.join(); // every job put has been processed
    // wakes the idle consumers with QueueShutDown: they return
    queue.shutdown();
  });

  console.log('consumers: stopped after the queue was shut down');
  console.log(
    `processed: ${processed.sort((a, b) => a - b).join(' ')}`,
  );
  console.log(
    `the queue never held more than ${String(mostQueued)} jobs`,
  );
  assert.equal(processed.length, JOBS);
  assert.ok(mostQueued <= queue.maxsize);
});
