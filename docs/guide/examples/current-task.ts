import assert from 'node:assert/strict';
import { createTask, currentTask, run } from '@corio/core';

assert.equal(currentTask(), undefined); // outside any task

await run(async () => {
  console.log(`main sees ${String(currentTask()?.name)}`);
  await createTask(
    async () => {
      console.log(`child sees ${String(currentTask()?.name)}`);
      // The task follows its code into callbacks: timers, events, I/O.
      await new Promise<void>((resolve) => {
        setTimeout(() => {
          console.log(
            `timer callback sees ${String(currentTask()?.name)}`,
          );
          resolve();
        }, 1);
      });
    },
    { name: 'child-1' },
  );
});

// A callback that outlives its task counts as no task.
let late: unknown = 'unset';
await run(() => {
  setTimeout(() => {
    late = currentTask();
  }, 5);
});
await new Promise((resolve) => setTimeout(resolve, 20));
assert.equal(late, undefined);
