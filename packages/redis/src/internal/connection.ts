// Redis clients of our own, and a gate that turns "Redis cannot be reached" into an error instead
// of the wait ioredis and BullMQ would do (they queue commands and retry the connection forever).
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { RedisConnection } from '../connection.js';

/**
 * A client we own and close: a new one from a URL or options, or a duplicate of the caller's
 * client (which stays the caller's to close). `extra` overrides the settings.
 */
export function ownClient(connection: RedisConnection, extra: RedisOptions = {}): Redis {
  const client =
    connection instanceof Redis
      ? connection.duplicate(extra)
      : typeof connection === 'string'
        ? new Redis(connection, extra)
        : new Redis({ ...connection, ...extra });
  // Errors reach callers through their commands or the gate; without a listener ioredis would
  // print each connection retry's error.
  client.on('error', () => undefined);
  return client;
}

/**
 * Subscribes `client` to `channel` once it is ready. ioredis 5 writes a SUBSCRIBE given while its
 * connection handshake runs (status 'connect') at once; its ready check (INFO) then fails in
 * subscriber mode, the connection is dropped, and the one that replaces it is not subscribed
 * again (redis/ioredis#2037): every message was lost. Rejects, naming Redis's address, if the
 * client cannot connect.
 */
export async function subscribeWhenReady(
  client: Redis,
  channel: string,
  what: string,
): Promise<void> {
  await new ReadyGate(client, what).whenReady();
  await client.subscribe(channel);
}

/** `host:port` of a client, for messages. */
export function describeClient(client: Redis): string {
  const { host, port, path } = client.options;
  return path ?? `${host ?? '127.0.0.1'}:${String(port ?? 6379)}`;
}

/**
 * Resolves while the client is connected and rejects, at the next connection error, while it is
 * not: a command sent now either reaches Redis or fails, never waits for a server that is down.
 */
export class ReadyGate {
  // Invariant: #waiting is set only while some caller waits and the client is not ready.
  #waiting: Deferred | undefined = undefined;

  constructor(
    readonly client: Redis,
    readonly what: string,
  ) {
    client.on('ready', () => {
      this.#waiting?.resolve();
      this.#waiting = undefined;
    });
    const fail = (cause: unknown): void => {
      if (client.status === 'ready') return;
      this.#waiting?.reject(
        new Error(`${what}: cannot reach Redis at ${describeClient(client)}`, { cause }),
      );
      this.#waiting = undefined;
    };
    client.on('error', fail);
    client.on('end', () => {
      fail(new Error('Connection is closed'));
    });
  }

  /** Resolves at once if the client is ready, else at its next 'ready' or rejects at its next error. */
  whenReady(): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    if (this.#waiting === undefined) {
      this.#waiting = deferred();
      this.#waiting.promise.catch(() => undefined);
    }
    return this.#waiting.promise;
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
