import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  TimeoutError,
  currentTask,
  limiter,
  run,
  waitFor,
} from '@corio/core';

const LIMIT = 3; // requests in flight at once
const TIMEOUT_MS = 1_000; // per request

let inFlight = 0;
let maxInFlight = 0;

// One GET. The task's signal aborts when the task is cancelled (here by
// waitFor's timeout), so fetch stops and closes its connection.
async function get(url: string): Promise<string> {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  try {
    const response = await fetch(url, {
      signal: currentTask()?.signal,
    });
    return await response.text();
  } finally {
    inFlight--;
  }
}

// get() with a time limit: on expiry waitFor cancels the request and
// waits until it has really stopped, then throws TimeoutError.
async function getWithTimeout(url: string): Promise<string> {
  try {
    return await waitFor(() => get(url), TIMEOUT_MS);
  } catch (error) {
    if (error instanceof TimeoutError) return 'timed out';
    throw error; // anything else, CancelledError included, goes on
  }
}

await run(async () => {
  // A local API to call: /slow/... answers after 10 s, everything else
  // at once.
  const server = createServer((request, response) => {
    const delay = request.url?.startsWith('/slow/') ? 10_000 : 0;
    const timer = setTimeout(
      () => response.end(`contents of ${request.url ?? ''}`),
      delay,
    );
    response.on('close', () => {
      clearTimeout(timer); // the client gave up
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const paths = [
      '/a',
      '/slow/b',
      '/c',
      '/d',
      '/slow/e',
      '/f',
      '/g',
      '/h',
    ];
    const limit = limiter(LIMIT);
    // Results come back in input order; at most LIMIT requests run at
    // once, the rest queue.
    const bodies = await limit.map(paths, (path) =>
      getWithTimeout(`http://127.0.0.1:${String(port)}${path}`),
    );
    paths.forEach((path, i) => {
      console.log(`${path.padEnd(8)} ${bodies[i] ?? ''}`);
    });
    console.log(
      `at most ${String(maxInFlight)} requests were in flight at once`,
    );
    assert.equal(maxInFlight, LIMIT);
    assert.equal(
      bodies.filter((body) => body === 'timed out').length,
      2,
    );
  } finally {
    server.close();
    // and the keep-alive connections fetch pooled
    server.closeAllConnections();
  }
});
