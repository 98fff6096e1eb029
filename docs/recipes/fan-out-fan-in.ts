import assert from 'node:assert/strict';
import type { Task } from '@corio/core';
import {
  CancelledError,
  TaskGroupError,
  run,
  sleep,
  taskGroup,
} from '@corio/core';

// A stand-in for a slow source (an HTTP API, a database...): /big takes
// 10 s, /gone fails.
const pages: Record<string, string> = {
  '/intro': 'corio brings asyncio to TypeScript',
  '/tasks': 'tasks start in creation order',
  '/groups': 'a task group waits for every child',
  '/big': 'a very long page',
};

async function download(path: string): Promise<string> {
  try {
    await sleep(path === '/big' ? 10_000 : 20);
  } catch (error) {
    if (error instanceof CancelledError)
      console.log(`  ${path}: cancelled, download aborted`);
    throw error;
  }
  const page = pages[path];
  if (page === undefined) throw new Error(`404 Not Found: ${path}`);
  return page;
}

// Fan out: one child task per page. Fan in: once the group is done,
// every child is done.
async function countWords(paths: string[]): Promise<number> {
  const counts: Task<number>[] = [];
  await taskGroup((tg) => {
    for (const path of paths) {
      counts.push(
        tg.createTask(
          async () => (await download(path)).split(' ').length,
        ),
      );
    }
  });
  return counts.reduce((total, task) => total + task.result(), 0);
}

await run(async () => {
  const words = await countWords(['/intro', '/tasks', '/groups']);
  console.log(`3 pages, ${String(words)} words`);
  assert.equal(words, 17);

  // One child fails: the group cancels the others (and waits for them),
  // then throws.
  console.log('now with a missing page:');
  try {
    await countWords(['/big', '/gone', '/big']);
    assert.fail('unreachable');
  } catch (error) {
    if (!(error instanceof TaskGroupError)) throw error;
    const messages = error.errors.map((e) => String(e));
    console.log(`TaskGroupError: ${messages.join('; ')}`);
  }
});
