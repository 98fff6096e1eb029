import assert from 'node:assert/strict';
import {
  CancelledError,
  FIRST_COMPLETED,
  createTask,
  gather,
  run,
  sleep,
  wait,
} from '@corio/core';

// Asks one replica. A real one would call fetch with the task's signal
// or read a socket; here replica-b answers in 20 ms and the others
// would take 10 s.
async function ask(replica: string, ms: number): Promise<string> {
  try {
    await sleep(ms);
    return `answer from ${replica}`;
  } catch (error) {
    if (error instanceof CancelledError)
      console.log(`${replica}: cancelled, closing its connection`);
    throw error; // always let a CancelledError go on
  }
}

await run(async () => {
  const delays = {
    'replica-a': 10_000,
    'replica-b': 20,
    'replica-c': 10_000,
  };
  const tasks = Object.entries(delays).map(([name, ms]) =>
    createTask(() => ask(name, ms), { name }),
  );

  // Returns as soon as one task is done; wait() itself never cancels
  // anything...
  const { done, pending } = await wait(tasks, {
    returnWhen: FIRST_COMPLETED,
  });
  // ...so cancel the losers, and wait for them to finish their cleanup.
  for (const task of pending) task.cancel();
  await gather(pending, { returnExceptions: true });

  const [winner] = done;
  console.log(`winner: ${String(await winner)}`);
  for (const task of tasks) {
    console.log(
      `${task.name}: ${task.cancelled() ? 'cancelled' : 'done'}`,
    );
  }
  assert.deepEqual(
    tasks.map((task) => task.cancelled()),
    [true, false, true],
  );
});
