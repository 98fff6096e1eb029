import assert from 'node:assert/strict';
import {
  TaskGroupError,
  isCancelledError,
  run,
  sleep,
  taskGroup,
} from '@corio/core';

const log: string[] = [];

async function upload(
  name: string,
  ms: number,
  fail = false,
): Promise<void> {
  try {
    await sleep(ms);
    if (fail) throw new Error(`${name}: disk full`);
    log.push(`${name}: done`);
  } catch (error) {
    if (isCancelledError(error)) log.push(`${name}: cancelled`);
    throw error;
  }
}

await run(async () => {
  const error = await taskGroup(async (tg) => {
    tg.createTask(() => upload('a', 1));
    tg.createTask(() => upload('b', 10, true));
    tg.createTask(() => upload('c', 60_000));
    await sleep(60_000); // the body is cancelled too
    log.push('body: never reached');
  }).catch((e: unknown) => e);

  // The group waited for every child, then threw every error that was
  // not a cancellation.
  assert.ok(error instanceof TaskGroupError);
  assert.ok(error instanceof AggregateError);
  assert.deepEqual(
    error.errors.map((e) => (e as Error).message),
    ['b: disk full'],
  );
  assert.deepEqual(log, ['a: done', 'c: cancelled']);
});
