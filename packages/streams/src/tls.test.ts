import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { TLSSocket } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, Event, InvalidStateError, createTask } from '@corio/core';
import { StreamReader, StreamWriter, openConnection } from '@corio/streams';
import type { ClientConnectedCallback } from '@corio/streams';
import { checkNoLeakedSockets, nextTurn } from '../test/helpers.js';
import { echo, listen } from '../test/net-helpers.js';
import { makeCertificate } from '../test/tls-helpers.js';
import type { TestCertificate } from '../test/tls-helpers.js';

checkNoLeakedSockets();

let server: TestCertificate;
let client: TestCertificate;
let stranger: TestCertificate;

beforeAll(() => {
  server = makeCertificate();
  client = makeCertificate('corio client', 'DNS:client.invalid');
  stranger = makeCertificate('stranger.invalid', 'DNS:stranger.invalid');
});

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('TLS: openConnection and startServer', () => {
  it('echoes lines and 1 MiB over TLS, verified against the given ca', async () => {
    const { server: tlsServer, port } = await listen(echo, { tls: server });
    const [reader, writer] = await openConnection('127.0.0.1', port, { tls: { ca: server.cert } });
    expect(writer.transport).toBeInstanceOf(TLSSocket);
    writer.writeLines(['one\n', 'two\n']);
    expect((await reader.readLine()).toString()).toBe('one\n');
    expect((await reader.readLine()).toString()).toBe('two\n');
    const data = Buffer.from(
      `${randomBytes(512 * 1024)
        .toString('hex')
        .replace(/0/g, '\n')}\n`,
    );
    const sent = (async () => {
      for (let offset = 0; offset < data.length; offset += 16384) {
        writer.write(data.subarray(offset, offset + 16384));
        await writer.drain();
      }
    })();
    const echoed = await reader.readExactly(data.length);
    await sent;
    expect(sha256(echoed)).toBe(sha256(data));
    writer.close();
    await writer.waitClosed();
    tlsServer.close();
    await tlsServer.waitClosed();
  });

  it('getExtraInfo() gives the peer certificate, the cipher and the TLS socket', async () => {
    const seen: unknown[] = [];
    const { server: tlsServer, port } = await listen(
      (_reader, writer) => {
        seen.push(writer.getExtraInfo('peercert'), writer.canWriteEof());
        writer.close();
      },
      { tls: server },
    );
    const [reader, writer] = await openConnection('localhost', port, {
      tls: { ca: server.cert },
      family: 4,
    });
    const cert = writer.getExtraInfo('peercert');
    expect(cert?.subject.CN).toBe('localhost');
    expect(cert?.subject.O).toBe('corio tests');
    expect(cert?.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(cert?.raw.equals(new X509Certificate(server.cert).raw)).toBe(true);
    expect(writer.getExtraInfo('cipher')?.version).toMatch(/^TLSv1\.[23]$/);
    expect(writer.getExtraInfo('sslObject')).toBe(writer.transport);
    expect(writer.getExtraInfo('peername')?.port).toBe(port);
    expect(writer.canWriteEof()).toBe(false);
    expect(() => {
      writer.writeEof();
    }).toThrow(new InvalidStateError('Cannot writeEof: a TLS connection cannot be half-closed'));
    expect((await reader.read()).length).toBe(0);
    // The server's side: the client sent no certificate.
    expect(seen).toEqual([undefined, false]);
    writer.close();
    await writer.waitClosed();
    tlsServer.close();
    await tlsServer.waitClosed();
  });

  it('a client certificate reaches the server as its peercert', async () => {
    const subjects: unknown[] = [];
    const { server: tlsServer, port } = await listen(
      (_reader, writer) => {
        subjects.push(writer.getExtraInfo('peercert')?.subject.CN);
        writer.close();
      },
      { tls: { ...server, requestCert: true, ca: client.cert } },
    );
    const [reader, writer] = await openConnection('127.0.0.1', port, {
      tls: { ca: server.cert, ...client },
    });
    expect((await reader.read()).length).toBe(0);
    expect(subjects).toEqual(['corio client']);
    writer.close();
    await writer.waitClosed();
    tlsServer.close();
    await tlsServer.waitClosed();
  });

  it('a self-signed certificate without its ca rejects with the Node error', async () => {
    let handled = 0;
    const { server: tlsServer, port } = await listen(
      () => {
        handled++;
      },
      { tls: server },
    );
    await expect(openConnection('127.0.0.1', port, { tls: true })).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(handled).toBe(0);
    tlsServer.close();
    await tlsServer.waitClosed();
  });

  it("a certificate for another name rejects with Node's ERR_TLS_CERT_ALTNAME_INVALID", async () => {
    const { server: tlsServer, port } = await listen(echo, { tls: stranger });
    await expect(
      openConnection('127.0.0.1', port, { tls: { ca: stranger.cert } }),
    ).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    // The same certificate is accepted for the name it was made for.
    const [, writer] = await openConnection('127.0.0.1', port, {
      tls: { ca: stranger.cert, servername: 'stranger.invalid' },
    });
    writer.close();
    await writer.waitClosed();
    tlsServer.close();
    await tlsServer.waitClosed();
  });

  it('a client that fails the handshake never reaches the handler; the server goes on', async () => {
    let handled = 0;
    const { server: tlsServer, port } = await listen(
      async (reader, writer) => {
        handled++;
        await echo(reader, writer);
      },
      { tls: server },
    );
    const plain = connect(port, '127.0.0.1');
    const closed = new Promise((resolve) => plain.once('close', resolve));
    plain.on('error', () => undefined);
    plain.end('GET / HTTP/1.0\r\n\r\n');
    plain.resume();
    await closed;
    const [reader, writer] = await openConnection('127.0.0.1', port, { tls: { ca: server.cert } });
    writer.write('still serving\n');
    expect((await reader.readLine()).toString()).toBe('still serving\n');
    expect(handled).toBe(1);
    writer.close();
    await writer.waitClosed();
    tlsServer.close();
    await tlsServer.waitClosed();
  });

  it("rejects a 'tls' option that is not a boolean or an object", async () => {
    await expect(
      openConnection('127.0.0.1', 80, { tls: 'yes' as unknown as boolean }),
    ).rejects.toThrow(
      new TypeError("openConnection: 'tls' must be a boolean or an object, received string"),
    );
    const { startServer } = await import('@corio/streams');
    await expect(
      startServer(() => undefined, '127.0.0.1', 0, { tls: null as unknown as object }),
    ).rejects.toThrow(new TypeError("startServer: 'tls' must be an object, received null"));
  });
});

/**
 * A STARTTLS server. As in SMTP, the client upgrades only once it has read the server's go-ahead
 * (its ClientHello must not reach the server's reader as plain text).
 */
const starttls: ClientConnectedCallback = async (reader, writer) => {
  expect((await reader.readLine()).toString()).toBe('HELLO\n');
  writer.write('greeting\n');
  expect((await reader.readLine()).toString()).toBe('STARTTLS\n');
  // Two lines at once: the client reads the first before its upgrade and the second after.
  writer.write('OK, go ahead\nlast plain line\n');
  await writer.startTls({ ...server });
  expect(writer.transport).toBeInstanceOf(TLSSocket);
  const line = await reader.readLine();
  writer.write(`secret: ${line.toString()}`);
  writer.write(writer.getExtraInfo('cipher')?.version ?? 'none');
  writer.close();
  await writer.waitClosed();
};

describe('StreamWriter.startTls', () => {
  it('upgrades a plain connection mid-stream, with bytes before and after', async () => {
    const { server: plainServer, port } = await listen(starttls);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('HELLO\n');
    expect((await reader.readLine()).toString()).toBe('greeting\n');
    writer.write('STARTTLS\n');
    expect((await reader.readLine()).toString()).toBe('OK, go ahead\n');
    while (reader.buffered < 'last plain line\n'.length) await nextTurn();
    await writer.startTls({ ca: server.cert });
    expect(writer.transport).toBeInstanceOf(TLSSocket);
    expect(writer.getExtraInfo('peercert')?.subject.CN).toBe('localhost');
    // The plain bytes the reader held before the upgrade are still there.
    expect((await reader.readLine()).toString()).toBe('last plain line\n');
    writer.write('swordfish\n');
    expect((await reader.readLine()).toString()).toBe('secret: swordfish\n');
    expect((await reader.read()).toString()).toMatch(/^TLSv1\.[23]$/);
    writer.close();
    await writer.waitClosed();
    plainServer.close();
    await plainServer.waitClosed();
  });

  it('a failed handshake rejects with the Node error and closes the connection', async () => {
    const errors: unknown[] = [];
    const { server: plainServer, port } = await listen(async (reader, writer) => {
      await reader.readLine();
      writer.write('OK\n');
      await writer.startTls({ ...server }).catch((error: unknown) => errors.push(error));
      await writer.waitClosed();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('STARTTLS\n');
    await reader.readLine();
    await expect(writer.startTls()).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await writer.waitClosed();
    expect(writer.isClosing()).toBe(true);
    plainServer.close();
    await plainServer.waitClosed();
    expect(errors).toHaveLength(1);
  });

  it('cancelling the task or aborting the signal mid-handshake ends the connection', async () => {
    // The peer agrees to upgrade and then never answers the handshake.
    let helloSeen = new Event();
    const { server: plainServer, port } = await listen(async (reader, writer) => {
      await reader.readLine();
      writer.write('OK\n');
      await reader.read(1); // the first byte of the ClientHello: the handshake is under way
      helloSeen.set();
      await reader.read(-1);
      writer.close();
    });
    for (const how of ['cancel', 'abort'] as const) {
      const [reader, writer] = await openConnection('127.0.0.1', port);
      writer.write('STARTTLS\n');
      await reader.readLine();
      const controller = new AbortController();
      const upgrade = createTask(() =>
        writer.startTls({ ca: server.cert, signal: controller.signal }),
      );
      await helloSeen.wait();
      helloSeen = new Event();
      if (how === 'cancel') {
        upgrade.cancel();
        await expect(upgrade).rejects.toBeInstanceOf(CancelledError);
      } else {
        controller.abort(new Error('gave up'));
        await expect(upgrade).rejects.toThrow('gave up');
      }
      await writer.waitClosed();
      expect(writer.isClosing()).toBe(true);
      expect(String(writer)).toBe('<StreamWriter [closed, buffered:0]>');
    }
    plainServer.close();
    await plainServer.waitClosed();
  });

  it('an already aborted signal rejects at once and leaves the connection plain and usable', async () => {
    const { server: plainServer, port } = await listen(echo);
    const [reader, writer] = await openConnection('127.0.0.1', port);
    await expect(
      writer.startTls({ ca: server.cert, signal: AbortSignal.abort(new Error('not now')) }),
    ).rejects.toThrow('not now');
    expect(writer.canWriteEof()).toBe(true);
    writer.write('still plain\n');
    expect((await reader.readLine()).toString()).toBe('still plain\n');
    writer.close();
    await writer.waitClosed();
    plainServer.close();
    await plainServer.waitClosed();
  });

  it('isServer overrides the side; write() throws during the upgrade', async () => {
    // Roles reversed: the connecting side takes the server's part of the handshake.
    const { server: plainServer, port } = await listen(async (reader, writer) => {
      expect((await reader.readLine()).toString()).toBe('GO\n');
      await writer.startTls({ isServer: false, ca: server.cert, servername: 'localhost' });
      writer.write(await reader.readLine());
      writer.close();
      await writer.waitClosed();
    });
    const [reader, writer] = await openConnection('127.0.0.1', port);
    writer.write('GO\n');
    const upgrade = writer.startTls({ isServer: true, ...server });
    expect(() => {
      writer.write('too early\n');
    }).toThrow(new InvalidStateError('Cannot write: startTls() is in progress'));
    await upgrade;
    writer.write('reversed\n');
    expect((await reader.readLine()).toString()).toBe('reversed\n');
    writer.close();
    await writer.waitClosed();
    plainServer.close();
    await plainServer.waitClosed();
  });

  it('misuse: on TLS, after close(), and without a reader', async () => {
    const { server: tlsServer, port } = await listen(echo, { tls: server });
    const [, writer] = await openConnection('127.0.0.1', port, { tls: { ca: server.cert } });
    await expect(writer.startTls()).rejects.toThrow(
      new InvalidStateError('Cannot startTls: the connection already uses TLS'),
    );
    writer.close();
    await expect(writer.startTls()).rejects.toThrow(
      new InvalidStateError('Cannot startTls: the StreamWriter is closed'),
    );
    await writer.waitClosed();
    tlsServer.close();
    await tlsServer.waitClosed();
    const socket = connect({ port: 1, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    const bare = new StreamWriter(socket);
    await expect(bare.startTls()).rejects.toThrow(
      new InvalidStateError('Cannot startTls: the StreamWriter was made without a reader'),
    );
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.destroy();
    await closed;
    expect(new StreamReader().toString()).toBe('<StreamReader [buffered:0]>');
  });
});
