import assert from 'node:assert/strict';
import {
  InvalidStateError,
  TimeoutError,
  now,
  sleep,
  timeout,
} from '@corio/core';
import type { TimeoutScope } from '@corio/core';

const IDLE_MS = 200;

// An idle timeout: every chunk pushes the deadline back; a stall of
// IDLE_MS ends the read.
async function* chunks(): AsyncGenerator<string> {
  for (const chunk of ['a', 'b', 'c']) {
    await sleep(1);
    yield chunk;
  }
  await sleep(60_000); // the peer stops sending
}

const received: string[] = [];
let kept: TimeoutScope | undefined;
const error = await timeout(null, async (scope) => {
  kept = scope;
  assert.equal(scope.when(), null); // no deadline yet
  scope.reschedule(now() + IDLE_MS);
  for await (const chunk of chunks()) {
    received.push(chunk);
    scope.reschedule(now() + IDLE_MS);
    assert.ok((scope.when() ?? 0) > now());
  }
}).catch((e: unknown) => e);

assert.ok(error instanceof TimeoutError);
assert.deepEqual(received, ['a', 'b', 'c']);
// the scope has ended
assert.throws(() => kept?.reschedule(null), InvalidStateError);
