import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { run } from '@corio/core';
import type { StreamReader, StreamWriter } from '@corio/streams';
import { openConnection, startServer } from '@corio/streams';

// A tiny key-value protocol, one command per line: SET <key> <value>,
// GET <key>, QUIT.
const store = new Map<string, string>();

async function serve(
  reader: StreamReader,
  writer: StreamWriter,
): Promise<void> {
  try {
    for (;;) {
      const line = (await reader.readLine()).toString();
      if (line === '') return; // EOF: the client went away without QUIT
      const [command = '', key = '', ...value] = line
        .trimEnd()
        .split(' ');
      if (command === 'QUIT') {
        writer.write('BYE\n');
        return;
      } else if (command === 'SET' && key !== '') {
        store.set(key, value.join(' '));
        writer.write('OK\n');
      } else if (command === 'GET' && key !== '') {
        const found = store.get(key);
        writer.write(
          found === undefined ? 'NOT_FOUND\n' : `VALUE ${found}\n`,
        );
      } else {
        writer.write(`ERROR unknown command: ${line.trimEnd()}\n`);
      }
      await writer.drain();
    }
  } finally {
    writer.close(); // sends what is buffered (BYE), then closes
    await writer.waitClosed();
  }
}

// The client side: send one command, read one reply line.
async function request(
  reader: StreamReader,
  writer: StreamWriter,
  command: string,
): Promise<string> {
  writer.write(`${command}\n`);
  const reply = (await reader.readLine()).toString().trimEnd();
  console.log(`> ${command}\n< ${reply}`);
  return reply;
}

await run(async () => {
  const server = await startServer(serve, '127.0.0.1', 0);
  const { port } = server.address() as AddressInfo;
  try {
    const [reader, writer] = await openConnection('127.0.0.1', port);
    assert.equal(
      await request(reader, writer, 'SET greeting hello world'),
      'OK',
    );
    assert.equal(
      await request(reader, writer, 'GET greeting'),
      'VALUE hello world',
    );
    assert.equal(
      await request(reader, writer, 'GET missing'),
      'NOT_FOUND',
    );
    assert.match(
      await request(reader, writer, 'DELETE greeting'),
      /^ERROR/,
    );
    assert.equal(await request(reader, writer, 'QUIT'), 'BYE');
    // the server closed: EOF
    assert.equal((await reader.readLine()).length, 0);
    writer.close();
    await writer.waitClosed();
  } finally {
    server.close();
    await server.waitClosed();
  }
});
