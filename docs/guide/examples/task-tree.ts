import {
  Lock,
  Queue,
  createTask,
  formatTaskTree,
  run,
  sleep,
  taskGroup,
} from '@corio/core';

async function main(): Promise<void> {
  const lock = new Lock();
  const jobs = new Queue<string>();
  await lock.acquire(); // never released: the bug to find
  const flusher = createTask(() => lock.use(() => sleep(10)), {
    name: 'flusher',
  });
  await taskGroup(async (tg) => {
    tg.createTask(() => jobs.get(), { name: 'consumer' });
    tg.createTask(() => flusher, { name: 'shutdown' });
    await sleep(10); // let them start and block
    console.log(formatTaskTree());
    tg.cancel();
  });
  flusher.cancel();
}

await run(main);
