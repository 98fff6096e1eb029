import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openUnixConnection, startUnixServer } from '@corio/streams';
import { checkNoLeakedSockets } from '../test/helpers.js';
import { echo } from '../test/net-helpers.js';
import { makeCertificate } from '../test/tls-helpers.js';

checkNoLeakedSockets({ pipes: true });

let dir = '';
let count = 0;
const socketPath = (): string => join(dir, `s${String(++count)}.sock`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'corio-unix-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('startUnixServer and openUnixConnection', () => {
  it('echo over a Unix socket; address() is the path; close() removes the file', async () => {
    const path = socketPath();
    const server = await startUnixServer(echo, path, { limit: 1024 });
    expect(server.address()).toBe(path);
    expect(existsSync(path)).toBe(true);
    const [reader, writer] = await openUnixConnection(path, { limit: 2048 });
    expect(reader.limit).toBe(2048);
    writer.writeLines(['one\n', 'two\n']);
    expect((await reader.readLine()).toString()).toBe('one\n');
    expect((await reader.readLine()).toString()).toBe('two\n');
    expect(writer.canWriteEof()).toBe(true);
    writer.writeEof();
    expect((await reader.read()).length).toBe(0);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
    expect(existsSync(path)).toBe(false);
  });

  it('serves TLS over a Unix socket', async () => {
    const cert = makeCertificate();
    const path = socketPath();
    const server = await startUnixServer(echo, path, { tls: cert });
    const [reader, writer] = await openUnixConnection(path, {
      tls: { ca: cert.cert, servername: 'localhost' },
    });
    expect(writer.transport).toBeInstanceOf(TLSSocket);
    expect(writer.getExtraInfo('peercert')?.subject.CN).toBe('localhost');
    writer.write('secure\n');
    expect((await reader.readLine()).toString()).toBe('secure\n');
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });

  it("a missing socket rejects with Node's ENOENT, a path in use with EADDRINUSE", async () => {
    await expect(openUnixConnection(join(dir, 'missing.sock'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    const file = join(dir, 'taken');
    writeFileSync(file, 'not a socket');
    await expect(startUnixServer(echo, file)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // Not a socket: left alone.
    expect(readFileSync(file, 'utf8')).toBe('not a socket');
    await expect(openUnixConnection(file)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('startUnixServer() replaces a stale socket file, one nothing listens on', async () => {
    const path = socketPath();
    // What a crashed server leaves: a socket file, bound but never closed, with no listener.
    execFileSync('python3', [
      '-c',
      'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
      path,
    ]);
    expect(lstatSync(path).isSocket()).toBe(true);
    await expect(openUnixConnection(path)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // An aborted start touches nothing.
    await expect(
      startUnixServer(echo, path, { signal: AbortSignal.abort(new Error('not now')) }),
    ).rejects.toThrow('not now');
    expect(lstatSync(path).isSocket()).toBe(true);
    const server = await startUnixServer(echo, path);
    const [reader, writer] = await openUnixConnection(path);
    writer.write('fresh\n');
    expect((await reader.readLine()).toString()).toBe('fresh\n');
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
    expect(existsSync(path)).toBe(false);
  });

  it("startUnixServer() on a live server's path rejects with EADDRINUSE and leaves it serving", async () => {
    const path = socketPath();
    const live = await startUnixServer(echo, path);
    await expect(startUnixServer(echo, path)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(lstatSync(path).isSocket()).toBe(true);
    const [reader, writer] = await openUnixConnection(path);
    writer.write('still here\n');
    expect((await reader.readLine()).toString()).toBe('still here\n');
    writer.close();
    await writer.waitClosed();
    live.close();
    await live.waitClosed();
    expect(existsSync(path)).toBe(false);
  });

  it('rejects an invalid path, callback or tls option', async () => {
    await expect(openUnixConnection('')).rejects.toThrow(
      new TypeError('openUnixConnection: \'path\' must be a socket path, received ""'),
    );
    await expect(openUnixConnection(3 as unknown as string)).rejects.toThrow(
      new TypeError("openUnixConnection: 'path' must be a string, received number"),
    );
    await expect(openUnixConnection('x', { tls: 1 as unknown as boolean })).rejects.toThrow(
      TypeError,
    );
    await expect(startUnixServer(echo, 'a\0b')).rejects.toThrow(TypeError);
    await expect(startUnixServer('echo' as unknown as typeof echo, socketPath())).rejects.toThrow(
      new TypeError("startUnixServer: 'onClient' must be a function, received string"),
    );
    await expect(startUnixServer(echo, socketPath(), { backlog: -1 })).rejects.toThrow(RangeError);
    await expect(
      openUnixConnection(socketPath(), { signal: AbortSignal.abort(new Error('no')) }),
    ).rejects.toThrow('no');
  });
});
