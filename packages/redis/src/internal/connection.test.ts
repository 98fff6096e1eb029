import { once } from 'node:events';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useRedisServer } from '../../test/redis-server.js';
import { subscribeWhenReady } from './connection.js';

const server = useRedisServer();

/** Subscribers of `channel` as Redis counts them. */
async function subscribers(channel: string): Promise<number> {
  const client = new Redis(server.port, '127.0.0.1');
  try {
    const reply = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    return reply[1];
  } finally {
    await client.quit();
  }
}

describe('subscribeWhenReady', () => {
  // ioredis 5 writes a SUBSCRIBE given during its handshake at once; its INFO ready check then
  // fails in subscriber mode and the connection is dropped, not to be subscribed again. A worker
  // that subscribed while its client was in that state never heard a cancel.
  it('subscribes a client whose handshake is under way, and it hears what is published', async () => {
    const client = new Redis(server.port, '127.0.0.1', { lazyConnect: true });
    const errors: unknown[] = [];
    client.on('error', (error: unknown) => errors.push(error));
    const connected = once(client, 'connect');
    void client.connect().catch(() => undefined);
    await connected;
    expect(client.status).toBe('connect');

    await subscribeWhenReady(client, 'handshake', 'test');
    const message = once(client, 'message');
    expect(await subscribers('handshake')).toBe(1);
    const publisher = new Redis(server.port, '127.0.0.1');
    await publisher.publish('handshake', 'hello');
    await publisher.quit();
    expect(await message).toEqual(['handshake', 'hello']);
    expect(errors).toEqual([]);
    client.disconnect();
  });

  it("rejects naming Redis's address when the client cannot connect", async () => {
    const client = new Redis(1, '127.0.0.1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    await expect(subscribeWhenReady(client, 'nowhere', 'RedisSemaphore(jobs)')).rejects.toThrow(
      'RedisSemaphore(jobs): cannot reach Redis at 127.0.0.1:1',
    );
    client.disconnect();
  });
});
