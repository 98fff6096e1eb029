import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { run } from '@corio/core';
import type { StreamReader, StreamWriter } from '@corio/streams';
import { openConnection, startServer } from '@corio/streams';

// The server side: one task per client, echoing each line until the
// client sends EOF.
async function echo(
  reader: StreamReader,
  writer: StreamWriter,
): Promise<void> {
  const peer = writer.getExtraInfo('peername');
  console.log(
    `server: client connected from ${peer?.address ?? 'unknown'}`,
  );
  for await (const line of reader) {
    writer.write(line);
    // waits only if the client reads more slowly than we write
    await writer.drain();
  }
  console.log('server: client sent EOF, closing');
  writer.close();
  await writer.waitClosed();
}

await run(async () => {
  // port 0: the OS picks a free one
  const server = await startServer(echo, '127.0.0.1', 0);
  const { port } = server.address() as AddressInfo;
  try {
    const [reader, writer] = await openConnection('127.0.0.1', port);
    for (const message of ['hello', 'corio']) {
      writer.write(`${message}\n`);
      const reply = (await reader.readLine()).toString();
      console.log(
        `client: sent ${message}, got back ${reply.trimEnd()}`,
      );
      assert.equal(reply, `${message}\n`);
    }
    writer.writeEof(); // "no more data": the server's `for await` ends
    // the server closed too: EOF
    assert.equal((await reader.read()).length, 0);
    writer.close();
    await writer.waitClosed();
  } finally {
    server.close(); // stop listening
    // and wait for every client handler to finish
    await server.waitClosed();
  }
  console.log('server closed');
});
