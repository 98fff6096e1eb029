import {
  Lock,
  Queue,
  createTask,
  formatTaskTree,
  run,
  sleep,
  taskGroup,
  timeout,
} from '@corio/core';

/** Plain synchronous work: nothing else runs on the event loop meanwhile. */
function crunch(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

async function main(): Promise<void> {
  // 1. A task that blocks the event loop for 150 ms: debug mode names
  //    it, with the line that created it, on stderr.
  await createTask(
    async () => {
      await sleep(1);
      crunch(150);
    },
    { name: 'crunch' },
  );

  // 2. A task whose error nobody awaits: reported on stderr, with
  //    its stack, when it is garbage-collected or when run() ends.
  createTask(
    () => {
      throw new Error('nobody awaits me');
    },
    { name: 'forgotten' },
  );

  // 3. A stuck program: print the tree of every pending task, what each
  //    one waits for and the scope it is in.
  const lock = new Lock();
  const jobs = new Queue<string>();
  await lock.acquire(); // ...and never released: the bug
  await timeout(1000, () =>
    taskGroup(async (tg) => {
      tg.createTask(() => lock.use(() => sleep(10)), {
        name: 'writer',
      });
      tg.createTask(() => jobs.get(), { name: 'consumer' });
      await sleep(100);
      console.log(formatTaskTree());
    }),
  ).catch((error: unknown) => {
    console.log(`then: ${String(error)}`);
  });
}

await run(main, { debug: true });
