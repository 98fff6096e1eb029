import { Event, Queue, createTask, sleep } from '@corio/core';
import { DeadlockError, withVirtualClock } from '@corio/core/testing';

// The consumer waits for an item the producer never puts: on real time
// the test would hang; with autojump it fails, naming the tasks.
try {
  await withVirtualClock(
    async () => {
      const queue = new Queue<string>();
      const done = new Event();
      createTask(
        async () => {
          await queue.get();
          done.set();
        },
        { name: 'consumer' },
      );
      await sleep(500); // the producer's work, on virtual time
      await done.wait();
    },
    { autojump: true },
  );
} catch (error) {
  if (!(error instanceof DeadlockError)) throw error;
  console.log(error.message);
}
