import assert from 'node:assert/strict';
import {
  CancelledError,
  createTask,
  run,
  sleep,
  taskGroup,
} from '@corio/core';

await run(async () => {
  // tg.cancel() stops the group without an error: here, once the first
  // mirror answered.
  const mirrors: [string, number][] = [
    ['slow', 60_000],
    ['fast', 5],
    ['slower', 120_000],
  ];
  const winner = { name: '' };
  const result = await taskGroup((tg) => {
    for (const [name, ms] of mirrors) {
      tg.createTask(async () => {
        await sleep(ms);
        winner.name = name;
        tg.cancel();
      });
    }
    return winner; // the body had returned: taskGroup keeps its value
  });
  assert.equal(result?.name, 'fast');

  // Cancelled from outside: the group cancels its children, waits,
  // rethrows CancelledError.
  let cleanedUp = 0;
  const job = createTask(() =>
    taskGroup(async (tg) => {
      for (let i = 0; i < 2; i++) {
        tg.createTask(async () => {
          try {
            await sleep(60_000);
          } finally {
            cleanedUp++;
          }
        });
      }
      await sleep(60_000);
    }),
  );
  await sleep(1);
  job.cancel();
  assert.ok(
    (await job.catch((e: unknown) => e)) instanceof CancelledError,
  );
  assert.equal(cleanedUp, 2);
});
