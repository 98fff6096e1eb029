import assert from 'node:assert/strict';
import { Event, Lock, gather, run, sleep } from '@corio/core';

// A read-modify-write with an await in the middle: other tasks run
// during that await.
async function deposit(
  account: { balance: number },
  amount: number,
): Promise<void> {
  const balance = account.balance;
  await sleep(1); // talking to a database, say
  account.balance = balance + amount;
}

await run(async () => {
  // Without a lock, five deposits of 10 overwrite one another.
  const unsafe = { balance: 0 };
  await gather([1, 2, 3, 4, 5].map(() => deposit(unsafe, 10)));
  const balance = String(unsafe.balance);
  console.log(`without a lock: balance ${balance} (4 deposits lost)`);

  // With one, they take turns (FIFO); use() releases the lock even on
  // errors and cancellation.
  const lock = new Lock();
  const safe = { balance: 0 };
  await gather(
    [1, 2, 3, 4, 5].map(() => lock.use(() => deposit(safe, 10))),
  );
  console.log(`with a lock: balance ${String(safe.balance)}`);
  assert.equal(safe.balance, 50);

  // An Event: tasks wait until something has happened once (here, the
  // config is loaded).
  const configLoaded = new Event();
  const config = { version: '' };
  const workers = ['worker-1', 'worker-2', 'worker-3'].map(
    async (name) => {
      // a cancellation point, like every corio wait
      await configLoaded.wait();
      return `${name} started with config ${config.version}`;
    },
  );
  await sleep(10); // loading...
  config.version = 'v2';
  // wakes every waiter; later wait() calls return at once
  configLoaded.set();
  for (const line of await gather(workers)) console.log(line);
});
