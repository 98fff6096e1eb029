import type { AddressInfo } from 'node:net';
import {
  Event,
  TimeoutError,
  createTask,
  run,
  sleep,
  waitFor,
} from '@corio/core';
import type {
  Server,
  StreamReader,
  StreamWriter,
} from '@corio/streams';
import { startServer } from '@corio/streams';

// A client connection: echo lines until the client leaves or the server
// closes us.
async function handle(
  reader: StreamReader,
  writer: StreamWriter,
): Promise<void> {
  console.log('client connected');
  try {
    for await (const line of reader) writer.write(line);
  } finally {
    writer.close();
    await writer.waitClosed();
    console.log('client connection closed');
  }
}

// Background work (metrics, cache refresh...) that must flush when the
// program stops.
async function heartbeat(): Promise<void> {
  try {
    for (;;) await sleep(1_000);
  } finally {
    console.log('heartbeat: stopped and flushed');
  }
}

async function shutdown(server: Server): Promise<void> {
  console.log('shutting down: no new connections');
  server.close();
  server.closeClients(); // ask the open connections to finish
  try {
    // every handler has finished
    await waitFor(server.waitClosed(), 5_000);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    server.abortClients(); // a client that would not go: cut it off
    await server.waitClosed();
  }
  console.log('server closed');
}

await run(async () => {
  const server = await startServer(handle, '127.0.0.1', 0);
  // Left running on purpose: when main ends, run() cancels it and waits
  // for its cleanup.
  createTask(heartbeat, { name: 'heartbeat' });
  const { port } = server.address() as AddressInfo;
  const address = `127.0.0.1:${String(port)}`;
  console.log(`ready: listening on ${address}, press Ctrl-C to stop`);
  try {
    // serve until cancelled: Ctrl-C (SIGINT) cancels main
    await new Event().wait();
  } finally {
    // runs on the way out, cancellation included
    await shutdown(server);
  }
  // Not reached after Ctrl-C: the CancelledError goes on, and run()
  // then ends the process the way an interrupted program ends (status
  // 130 in a shell, no stack trace).
});
