// A tour of @corio/core: Python asyncio's semantics on native promises. Run it with `pnpm demo`.
import type { TimeoutScope } from '@corio/core';
import {
  CancelledError,
  TaskGroupError,
  TimeoutError,
  createTask,
  currentTask,
  gather,
  now,
  run,
  sleep,
  taskGroup,
  timeout,
  waitFor,
} from '@corio/core';

const start = now();
const log = (line: string): void => {
  console.log(`${String(Math.round(now() - start)).padStart(5)} ms  ${line}`);
};
const heading = (title: string): void => {
  console.log(`\n== ${title} ==`);
};

// Sleeps for `ms`, logging if it is cancelled on the way (cleanup code goes in such a catch).
async function work(ms: number, label = currentTask()?.name ?? 'work'): Promise<string> {
  try {
    await sleep(ms);
    return label;
  } catch (error) {
    if (error instanceof CancelledError) log(`${label}: cancelled, cleaning up`);
    throw error; // always let a CancelledError go on
  }
}

async function tasksStartInOrder(): Promise<void> {
  heading('1. createTask: tasks start in creation order, never synchronously');
  const tasks = ['fetch-a', 'fetch-b', 'fetch-c'].map((name, i) =>
    createTask(
      () => {
        log(`${name} started`);
        return work(30 - i * 10);
      },
      { name },
    ),
  );
  log(`created ${String(tasks.length)} tasks; none has started yet: ${String(tasks[0])}`);
  for (const task of tasks) log(`awaited ${await task}: ${String(task)}`);
}

async function gatherResults(): Promise<void> {
  heading('2. gather: run concurrently, results in input order');
  const results = await gather([work(40, 'slow'), work(10, 'fast'), () => 'plain value']);
  log(`results: ${results.join(', ')} (about 40 ms in all, not 50)`);
}

async function waitForTimesOut(): Promise<void> {
  heading('3. waitFor: a time limit that really cancels the work');
  const query = createTask(() => work(10_000), { name: 'slow-query' });
  try {
    await waitFor(query, 50);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    log(`TimeoutError: ${error.message} (cause: ${(error.cause as Error).name})`);
  }
  log(`slow-query.cancelled() = ${String(query.cancelled())}, already finished when waitFor threw`);
}

async function timeoutScope(): Promise<void> {
  heading('4. timeout(): a deadline for a whole block');
  let deadline: TimeoutScope | undefined;
  try {
    await timeout(100, async (scope) => {
      deadline = scope;
      for (let step = 1; step <= 5; step++) log(`${await work(40, `step ${String(step)}`)} done`);
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    log(`TimeoutError after the deadline; scope.expired() = ${String(deadline?.expired())}`);
  }
}

async function taskGroupFailure(): Promise<void> {
  heading('5. TaskGroup: a child fails, its siblings and the body are cancelled');
  try {
    await taskGroup(async (tg) => {
      tg.createTask(() => work(10_000), { name: 'download-1' });
      tg.createTask(() => work(10_000), { name: 'download-2' });
      tg.createTask(
        async () => {
          await sleep(30);
          throw new Error('disk full');
        },
        { name: 'writer' },
      );
      await work(10_000, 'body');
    });
  } catch (error) {
    if (!(error instanceof TaskGroupError)) throw error;
    log(`TaskGroupError: ${error.message}`);
    for (const e of error.errors) log(`  - ${String(e)}`);
  }
}

async function ctrlC(): Promise<void> {
  heading('6. Ctrl-C: run() cancels main, which cleans up and returns');
  createTask(() => work(3_600_000), { name: 'background' }); // left over: run() cancels it
  if (process.stdin.isTTY) {
    log('press Ctrl-C to stop');
  } else {
    log('stdin is not a TTY: sending ourselves SIGINT in 200 ms');
    setTimeout(() => process.kill(process.pid, 'SIGINT'), 200);
  }
  try {
    await sleep(3_600_000);
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
    log(`main: CancelledError (${error.message}), cleaned up`);
  }
}

const result = await run(async () => {
  await tasksStartInOrder();
  await gatherResults();
  await waitForTimesOut();
  await timeoutScope();
  await taskGroupFailure();
  await ctrlC();
  return 'ok';
});
console.log(`\nrun() returned '${result}'; exiting normally`);
