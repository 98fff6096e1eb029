import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { run } from '@corio/core';
import { openConnection } from '@corio/streams';

// Prints the status line and headers of a URL, speaking HTTP/1.0 over a
// plain TCP connection (the "wget" example of Python's asyncio streams
// documentation).
async function printHeaders(url: URL): Promise<string[]> {
  const [reader, writer] = await openConnection(
    url.hostname,
    Number(url.port || 80),
  );
  const lines: string[] = [];
  try {
    writer.write(
      `HEAD ${url.pathname} HTTP/1.0\r\nHost: ${url.host}\r\n\r\n`,
    );
    for (;;) {
      const line = (await reader.readLine()).toString().trimEnd();
      // the blank line that ends the headers (or EOF)
      if (line === '') return lines;
      console.log(`HTTP header> ${line}`);
      lines.push(line);
    }
  } finally {
    // runs on errors and cancellation too: the socket never leaks
    writer.close();
    await writer.waitClosed();
  }
}

await run(async () => {
  // A local web server to ask (there is no network where the docs are
  // tested).
  const server = createServer((_request, response) => {
    response.sendDate = false; // keep the output the same on every run
    response.setHeader('Content-Type', 'text/plain; charset=utf-8');
    response.end('hello from node:http\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const lines = await printHeaders(
      new URL(`http://127.0.0.1:${String(port)}/index.txt`),
    );
    assert.match(lines[0] ?? '', /^HTTP\/1\.[01] 200 OK$/);
  } finally {
    server.close();
    await once(server, 'close');
  }
});
