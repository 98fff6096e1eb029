// TLS with a peer nobody here wrote: CPython's asyncio streams and ssl module.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnection } from '@corio/streams';
import { checkNoLeakedSockets } from './helpers.js';
import { listen } from './net-helpers.js';
import { makeCertificate } from './tls-helpers.js';
import type { TestCertificate } from './tls-helpers.js';

checkNoLeakedSockets();

const TLS_ECHO_SERVER = `
import asyncio, ssl, sys

async def handle(reader, writer):
    peer = writer.get_extra_info('ssl_object').version()
    writer.write(f'python speaks {peer}\\n'.encode())
    while line := await reader.readline():
        writer.write(line.upper())
        await writer.drain()
    writer.close()

async def main():
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    server = await asyncio.start_server(handle, '127.0.0.1', 0, ssl=context)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    server.close()

asyncio.run(main())
`;

// Plain text first, then StreamWriter.start_tls (Python 3.11+) against corio's startTls.
const STARTTLS_CLIENT = `
import asyncio, ssl, sys

async def main():
    reader, writer = await asyncio.open_connection('127.0.0.1', int(sys.argv[1]))
    writer.write(b'STARTTLS\\n')
    print((await reader.readline()).decode().strip(), flush=True)
    context = ssl.create_default_context(cafile=sys.argv[2])
    await writer.start_tls(context, server_hostname='localhost')
    print(writer.get_extra_info('peercert')['subject'][0][0][1], flush=True)
    writer.write(b'secret\\n')
    print((await reader.readline()).decode().strip(), flush=True)
    writer.close()
    await writer.wait_closed()

asyncio.run(main())
`;

function python(args: string[]): ChildProcessWithoutNullStreams {
  return spawn('python3', ['-c', ...args], { stdio: 'pipe' });
}

describe('TLS interop with Python asyncio', () => {
  let cert: TestCertificate;
  let dir = '';
  let certFile = '';
  let child: ChildProcessWithoutNullStreams | undefined;
  let port = 0;

  beforeAll(async () => {
    cert = makeCertificate();
    dir = mkdtempSync(join(tmpdir(), 'corio-pytls-'));
    certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(certFile, cert.cert);
    writeFileSync(keyFile, cert.key);
    const server = python([TLS_ECHO_SERVER, certFile, keyFile]);
    child = server;
    const first = await new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.stdout.once('data', (data: Buffer) => {
        resolve(data.toString());
      });
    });
    port = Number(first.trim());
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const server = child;
    if (server?.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.stdin.end();
    await exited;
  });

  it("corio's TLS client talks to asyncio.start_server(ssl=...)", async () => {
    expect(port).toBeGreaterThan(0);
    const [reader, writer] = await openConnection('127.0.0.1', port, { tls: { ca: cert.cert } });
    const version = writer.getExtraInfo('cipher')?.version;
    expect((await reader.readLine()).toString()).toBe(`python speaks ${String(version)}\n`);
    expect(writer.getExtraInfo('peercert')?.subject.CN).toBe('localhost');
    writer.writeLines(['hello\n', 'over tls\n']);
    expect((await reader.readLine()).toString()).toBe('HELLO\n');
    expect((await reader.readLine()).toString()).toBe('OVER TLS\n');
    writer.close();
    await writer.waitClosed();
  });

  it("asyncio's StreamWriter.start_tls upgrades against corio's startTls", async () => {
    const { server, port: corioPort } = await listen(async (reader, writer) => {
      expect((await reader.readLine()).toString()).toBe('STARTTLS\n');
      writer.write('OK\n');
      await writer.startTls({ key: cert.key, cert: cert.cert });
      writer.write(`got ${(await reader.readLine()).toString()}`);
      await reader.read();
      writer.close();
      await writer.waitClosed();
    });
    const client = python([STARTTLS_CLIENT, String(corioPort), certFile]);
    const exited = new Promise<number | null>((resolve) => client.once('exit', resolve));
    let stderr = '';
    client.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const output: string[] = [];
    for await (const line of createInterface({ input: client.stdout })) output.push(line);
    expect(await exited, stderr).toBe(0);
    expect(output).toEqual(['OK', 'localhost', 'got secret']);
    server.close();
    await server.waitClosed();
  });
});
