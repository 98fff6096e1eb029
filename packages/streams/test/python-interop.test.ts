// A peer nobody here wrote: CPython's asyncio streams, on both ends of a connection.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnection } from '@corio/streams';
import { checkNoLeakedSockets } from './helpers.js';
import { listen } from './net-helpers.js';

checkNoLeakedSockets();

const ECHO_SERVER = `
import asyncio, sys

async def handle(reader, writer):
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()
    await writer.wait_closed()

async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    server.close()

asyncio.run(main())
`;

const CLIENT = `
import asyncio, hashlib, sys

async def main():
    reader, writer = await asyncio.open_connection('127.0.0.1', int(sys.argv[1]))
    writer.write(b'hello from python\\n')
    print((await reader.readline()).decode().strip(), flush=True)
    data = await reader.readexactly(int(sys.argv[2]))
    print(hashlib.sha256(data).hexdigest(), flush=True)
    writer.close()
    await writer.wait_closed()

asyncio.run(main())
`;

function python(args: string[]): ChildProcessWithoutNullStreams {
  return spawn('python3', ['-c', ...args], { stdio: 'pipe' });
}

async function lines(child: ChildProcessWithoutNullStreams): Promise<string[]> {
  const result: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) result.push(line);
  return result;
}

describe('Python asyncio interop', () => {
  let server: ChildProcessWithoutNullStreams | undefined;
  let port = 0;

  beforeAll(async () => {
    const child = python([ECHO_SERVER]);
    server = child;
    const first = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.once('data', (data: Buffer) => {
        resolve(data.toString());
      });
    });
    port = Number(first.trim());
  });

  afterAll(async () => {
    const child = server;
    if (child?.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
  });

  it("corio's client echoes lines and 4 MiB through asyncio.start_server", async () => {
    expect(port).toBeGreaterThan(0);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.writeLines(['one\n', 'two\n']);
    expect((await reader.readLine()).toString()).toBe('one\n');
    expect((await reader.readLine()).toString()).toBe('two\n');
    const data = randomBytes(4 * 1024 * 1024);
    const sent = (async () => {
      for (let offset = 0; offset < data.length; offset += 65536) {
        writer.write(data.subarray(offset, offset + 65536));
        await writer.drain();
      }
    })();
    const echoed = await reader.readExactly(data.length);
    await sent;
    expect(createHash('sha256').update(echoed).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
    writer.writeEof();
    expect((await reader.read()).length).toBe(0);
    writer.close();
    await writer.waitClosed();
  });

  it("asyncio.open_connection talks to corio's startServer", async () => {
    const payload = randomBytes(2 * 1024 * 1024);
    const { server: corio, port: corioPort } = await listen(async (reader, writer) => {
      const line = await reader.readLine();
      writer.write(`echo: ${line.toString()}`);
      writer.write(payload);
      await writer.drain();
      await reader.read();
      writer.close();
      await writer.waitClosed();
    });
    const child = python([CLIENT, String(corioPort), String(payload.length)]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const output = await lines(child);
    expect(await exited).toBe(0);
    expect(output).toEqual([
      'echo: hello from python',
      createHash('sha256').update(payload).digest('hex'),
    ]);
    corio.close();
    await corio.waitClosed();
  });
});
