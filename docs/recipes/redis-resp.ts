import assert from 'node:assert/strict';
import { run } from '@corio/core';
import type { StreamReader, StreamWriter } from '@corio/streams';
import { openConnection } from '@corio/streams';

type Reply = string | number | null | Reply[];

/**
 * An error reply (`-ERR ...`): the command failed, the connection is
 * fine.
 */
class RedisError extends Error {
  override name = 'RedisError';
}

// A command is an array of bulk strings: *<count>\r\n then
// $<bytes>\r\n<arg>\r\n for each.
function encode(args: (string | number)[]): string {
  const parts = args.map((arg) => {
    const text = String(arg);
    return `$${String(Buffer.byteLength(text))}\r\n${text}\r\n`;
  });
  return `*${String(args.length)}\r\n${parts.join('')}`;
}

// A reply starts with a line (type byte + data); bulk strings then
// carry exactly <n> bytes.
async function readReply(reader: StreamReader): Promise<Reply> {
  const line = await reader.readLine();
  if (line.length === 0) throw new Error('Redis closed the connection');
  const type = String.fromCharCode(line[0] ?? 0);
  // without the \r\n
  const data = line.subarray(1, line.length - 2).toString();
  switch (type) {
    case '+':
      return data; // simple string
    case '-':
      throw new RedisError(data);
    case ':':
      return Number(data); // integer
    case '$': {
      const length = Number(data);
      if (length === -1) return null; // nil
      // the bytes, then \r\n
      const bulk = await reader.readExactly(length + 2);
      return bulk.subarray(0, length).toString();
    }
    case '*': {
      const count = Number(data);
      if (count === -1) return null;
      const items: Reply[] = [];
      for (let i = 0; i < count; i++)
        items.push(await readReply(reader));
      return items;
    }
    default:
      throw new Error(
        `Unexpected reply from Redis: ${line.toString()}`,
      );
  }
}

class Redis {
  constructor(
    readonly reader: StreamReader,
    readonly writer: StreamWriter,
  ) {}

  static async connect(host: string, port: number): Promise<Redis> {
    const [reader, writer] = await openConnection(host, port);
    return new Redis(reader, writer);
  }

  async call(...args: (string | number)[]): Promise<Reply> {
    this.writer.write(encode(args));
    return readReply(this.reader);
  }

  // Pipelining: every command in one write, then the replies in order.
  async pipeline(commands: (string | number)[][]): Promise<Reply[]> {
    this.writer.write(commands.map(encode).join(''));
    const replies: Reply[] = [];
    for (const _command of commands)
      replies.push(await readReply(this.reader));
    return replies;
  }

  async close(): Promise<void> {
    this.writer.close();
    await this.writer.waitClosed();
  }
}

const host = process.env.REDIS_HOST ?? '127.0.0.1';
const port = Number(process.env.REDIS_PORT ?? 6379);

await run(async () => {
  const redis = await Redis.connect(host, port);
  try {
    const show = async (
      ...args: (string | number)[]
    ): Promise<Reply> => {
      const reply = await redis.call(...args);
      console.log(`${args.join(' ')} -> ${JSON.stringify(reply)}`);
      return reply;
    };
    await redis.call(
      'DEL',
      'recipe:greeting',
      'recipe:visits',
      'recipe:list',
    );
    assert.equal(await show('PING'), 'PONG');
    assert.equal(
      await show('SET', 'recipe:greeting', 'hello, world'),
      'OK',
    );
    assert.equal(await show('GET', 'recipe:greeting'), 'hello, world');
    assert.equal(await show('GET', 'recipe:missing'), null);
    assert.equal(await show('RPUSH', 'recipe:list', 'a', 'b', 'c'), 3);
    assert.deepEqual(await show('LRANGE', 'recipe:list', 0, -1), [
      'a',
      'b',
      'c',
    ]);

    const visits = await redis.pipeline([
      ['INCR', 'recipe:visits'],
      ['INCR', 'recipe:visits'],
      ['INCR', 'recipe:visits'],
    ]);
    console.log(`3 x INCR in one write -> ${JSON.stringify(visits)}`);
    assert.deepEqual(visits, [1, 2, 3]);

    try {
      await show('INCR', 'recipe:greeting');
    } catch (error) {
      // CancelledError included
      if (!(error instanceof RedisError)) throw error;
      console.log(`INCR recipe:greeting -> ${error.name}`);
      console.log(`  ${error.message}`);
    }
    await redis.call(
      'DEL',
      'recipe:greeting',
      'recipe:visits',
      'recipe:list',
    );
  } finally {
    await redis.close();
  }
});
