// The iterator behind `for await (const line of reader)`.
import type { ReadCore } from './read-core.js';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Iterates over a reader's lines until EOF, as `readLine()` returns them. A line already
 * buffered comes in an already resolved promise: one microtask turn per line, where an async
 * generator (`yield await reader.readLine()`) spends three. Calls to `next()` made while one
 * waits run after it, in order, as an async generator's do.
 */
export class LineIterator implements AsyncIterableIterator<Buffer, undefined> {
  // #done once a read returned EOF or failed, or return() was called: every next() then ends
  // the iteration. #waiting is the last next() that had to wait for data, until it settles.
  readonly #core: ReadCore;
  #done = false;
  #waiting: Promise<IteratorResult<Buffer, undefined>> | undefined = undefined;

  constructor(core: ReadCore) {
    this.#core = core;
  }

  next(): Promise<IteratorResult<Buffer, undefined>> {
    if (this.#waiting === undefined) {
      if (this.#done) return Promise.resolve(DONE);
      const line = this.#core.lineNow();
      if (line !== undefined) return Promise.resolve({ done: false, value: line });
    }
    const before = this.#waiting;
    const read = (): Promise<IteratorResult<Buffer, undefined>> => this.#read();
    const result = before === undefined ? read() : before.then(read, read);
    this.#waiting = result;
    const settled = (): void => {
      if (this.#waiting === result) this.#waiting = undefined;
    };
    result.then(settled, settled);
    return result;
  }

  return(): Promise<IteratorResult<Buffer, undefined>> {
    this.#done = true;
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async #read(): Promise<IteratorResult<Buffer, undefined>> {
    if (this.#done) return DONE;
    try {
      const line = await this.#core.readLine();
      if (line.length > 0) return { done: false, value: line };
    } catch (error) {
      this.#done = true;
      throw error;
    }
    this.#done = true;
    return DONE;
  }
}
