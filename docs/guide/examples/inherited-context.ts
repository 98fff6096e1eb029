import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createTask, run, sleep } from '@corio/core';

const requestId = new AsyncLocalStorage<string>();

async function audit(): Promise<string | undefined> {
  await sleep(1);
  // the context of the code that created the task
  return requestId.getStore();
}

await run(async () => {
  const inRequest = await requestId.run('req-42', () =>
    createTask(audit),
  );
  const outside = await createTask(audit);
  assert.equal(inRequest, 'req-42');
  assert.equal(outside, undefined);
});
