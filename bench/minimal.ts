// The smallest correct hand-written primitives, as baselines for corio's: what a competent
// programmer writes in twenty lines when they need a semaphore or a bounded queue and want
// nothing else (no cancellation, no abort signals, no state rendering, no task awareness).

/** A FIFO of resolvers: an array with a moving head, reset when it empties. */
class Waiters {
  #items: ((() => void) | undefined)[] = [];
  #head = 0;

  /** A promise resolved when this waiter's turn comes. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#items.push(resolve);
    });
  }

  /** Wakes the first waiter; false if there was none. */
  wakeOne(): boolean {
    if (this.#head === this.#items.length) return false;
    const wake = this.#items[this.#head] as () => void;
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    wake();
    return true;
  }
}

/** A counting semaphore: `use(fn)` runs `fn` holding one of `value` permits, FIFO. */
export class MinimalSemaphore {
  #value: number;
  readonly #waiters = new Waiters();

  constructor(value: number) {
    this.#value = value;
  }

  async use<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    if (this.#value > 0) this.#value--;
    else await this.#waiters.wait();
    try {
      return await fn();
    } finally {
      // A released permit goes straight to the first waiter.
      if (!this.#waiters.wakeOne()) this.#value++;
    }
  }
}

/** A bounded FIFO queue (`maxsize <= 0`: unbounded), shaped like asyncio's: put/get wait. */
export class MinimalQueue<T> {
  readonly #maxsize: number;
  #items: T[] = [];
  #head = 0;
  readonly #getters = new Waiters();
  readonly #putters = new Waiters();

  constructor(maxsize = 0) {
    this.#maxsize = maxsize;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  async put(item: T): Promise<void> {
    while (this.#maxsize > 0 && this.size >= this.#maxsize) {
      await this.#putters.wait();
    }
    this.#items.push(item);
    this.#getters.wakeOne();
  }

  async get(): Promise<T> {
    while (this.size === 0) {
      await this.#getters.wait();
    }
    const item = this.#items[this.#head] as T;
    this.#items[this.#head++] = undefined as T;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    this.#putters.wakeOne();
    return item;
  }
}
