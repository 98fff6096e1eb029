import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Event,
  Future,
  TimeoutError,
  createTask,
  sleep,
  timeout,
} from '@corio/core';

// A service task starts an HTTP server: the request handlers run in its
// async context.
const listening = new Future<number>();
const stop = new Event();
const service = createTask(async () => {
  const server = createServer((request, response) => {
    void (async () => {
      try {
        // A scope of its own: the deadline cancels this request's
        // await, nothing else.
        const slow = request.url === '/slow';
        response.end(
          await timeout(50, () => sleep(slow ? 60_000 : 1, 'hello')),
        );
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
        response.statusCode = 504;
        response.end('too slow');
      }
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  listening.setResult((server.address() as AddressInfo).port);
  try {
    // the service's own await: no request's deadline reaches it
    await stop.wait();
    return 'stopped cleanly';
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

const url = `http://127.0.0.1:${String(await listening)}`;
assert.equal((await fetch(`${url}/slow`)).status, 504);
// and it keeps serving
assert.equal(await (await fetch(url)).text(), 'hello');
assert.equal(service.done(), false);
stop.set();
assert.equal(await service, 'stopped cleanly');
