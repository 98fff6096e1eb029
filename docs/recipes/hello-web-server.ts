import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Event, TimeoutError, run, sleep, timeout } from '@corio/core';

// Short so that the demo (and its test) is quick: a real service would
// allow seconds.
const REQUEST_TIMEOUT_MS = 500;

// The routes, as in aiohttp's hello example, plus one whose backend
// hangs.
async function route(
  url: URL,
): Promise<[status: number, body: string]> {
  switch (url.pathname) {
    case '/':
      return [200, `Hello, ${url.searchParams.get('name') ?? 'world'}`];
    case '/slow':
      await sleep(60_000); // stands for a database call that hangs
      return [200, 'Done at last'];
    default:
      return [404, 'Not Found'];
  }
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  try {
    // A cancel scope of its own: the deadline cancels this request's
    // work, never main nor the other requests.
    const [status, body] = await timeout(REQUEST_TIMEOUT_MS, () =>
      route(url),
    );
    response
      .writeHead(status, { 'content-type': 'text/plain' })
      .end(body);
  } catch (error) {
    // a CancelledError (Ctrl-C) goes on
    if (!(error instanceof TimeoutError)) throw error;
    response
      .writeHead(504, { 'content-type': 'text/plain' })
      .end('Gateway Timeout');
  } finally {
    const answered = response.headersSent;
    // Cancelled by Ctrl-C (or failed): drop the connection, or
    // server.close() would wait for it.
    if (!answered) response.destroy();
    const outcome = answered
      ? String(response.statusCode)
      : 'no answer';
    console.log(
      `${request.method ?? ''} ${request.url ?? ''} -> ${outcome}`,
    );
  }
}

await run(async () => {
  // Created inside main, so the handlers run in main's context and see
  // its cancellation. A CancelledError escaping a handler is the
  // expected end of that request, not a crash.
  const server = createServer(
    (request, response) => void handle(request, response),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const address = `127.0.0.1:${String(port)}`;
  console.log(`ready: listening on ${address}, press Ctrl-C to stop`);
  try {
    // serve until cancelled: Ctrl-C (SIGINT) cancels main
    await new Event().wait();
  } finally {
    console.log('shutting down: no new connections');
    server.close(); // also closes the idle keep-alive connections
    await once(server, 'close'); // every connection has ended
    console.log('server closed');
  }
  // Not reached after Ctrl-C: the CancelledError goes on, and run()
  // then ends the process the way an interrupted program ends (status
  // 130 in a shell, no stack trace).
});
