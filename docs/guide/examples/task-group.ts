import assert from 'node:assert/strict';
import { run, sleep, taskGroup } from '@corio/core';

async function fetchItem(id: string): Promise<string> {
  await sleep(5);
  return id;
}

const items = await run(() =>
  taskGroup(async (tg) => {
    const tasks = ['a', 'b', 'c'].map((id) =>
      tg.createTask(() => fetchItem(id)),
    );
    await sleep(0); // the body goes on while the children run
    return tasks; // taskGroup returns once every child has finished
  }),
);

const names = items?.map((task) => task.result()) ?? [];
console.log(`fetched ${names.join(', ')}`);
assert.deepEqual(names, ['a', 'b', 'c']);
