import { InvalidStateError, QueueEmpty, QueueFull, QueueShutDown } from './errors.js';
import { inspectSymbol } from './internal/inspect.js';
import { ArrivalStore } from './internal/item-store.js';
import { iterate } from './internal/queue-iterator.js';
import type { ItemStore } from './internal/item-store.js';
import { show } from './internal/validate.js';
import { NO_CANCEL, withWork } from './internal/protocol.js';
import { Getter, HANDED, Putter, asGetter, asPutter } from './internal/queue-waiters.js';
import { QueuedWait, WaiterQueue, cancelledOnResume } from './internal/waiter-queue.js';
import type { SignalOptions } from './suspend.js';

const DONE: Promise<void> = Promise.resolve();

/**
 * A first-in, first-out queue for producer and consumer tasks (asyncio's `Queue`).
 *
 * `put()` waits while the queue is full, `get()` while it is empty; both are cancellation points
 * and take an `AbortSignal`. Waiters are served in FIFO order and never overtaken: an item put
 * while getters wait goes straight to the first of them, and a `get()` from a full queue admits
 * the first waiting putter's item at once.
 *
 * A `get()` cancelled in the very tick an item was handed to it gives the item back, to the
 * next getter or to the front of the queue (ahead of the items put after it, and in their order
 * if several come back), and throws `CancelledError`. Until that getter has resumed, its item
 * keeps its slot: `full()` counts it, so giving it back never overfills the queue. A `put()`
 * cancelled after its item was admitted has put it: the put resolves and the cancellation
 * surfaces at the task's next cancellation point.
 *
 * `taskDone()` and `join()` count the items put and finished; `shutdown()` ends the queue, as in
 * asyncio 3.13; `for await (const item of queue)` gets items until the queue is shut down and
 * drained.
 *
 * @typeParam T - the items.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Queue, createTask, gather } from '@corio/core';
 *
 * const queue = new Queue<number>(2);
 * const seen: number[] = [];
 * const consumer = createTask(async () => {
 *   for await (const n of queue) {
 *     seen.push(n);
 *     queue.taskDone();
 *   }
 * });
 * // waits while 2 are queued
 * for (const n of [1, 2, 3, 4, 5]) await queue.put(n);
 * await queue.join(); // every item put has been marked done
 * queue.shutdown();
 * await gather([consumer]);
 * assert.deepEqual(seen, [1, 2, 3, 4, 5]);
 * ```
 */
export class Queue<T> implements AsyncIterable<T> {
  // Getters wait only while no item is stored; putters only while there is no room; an item
  // handed to a getter, or let in with a putter, holds a slot (#reserved) until it resumes.
  readonly #maxsize: number;
  readonly #items: ItemStore<T>;
  readonly #getters = new WaiterQueue<Getter<T>>(this, 'get');
  // Getters handed an item and not yet resumed, in the order they were handed one.
  readonly #handed = new WaiterQueue<Getter<T>>(this, 'get');
  readonly #putters = new WaiterQueue<Putter<T>>(this, 'put');
  readonly #joiners = new WaiterQueue<undefined>(this, 'join');
  // Slots held by getters handed an item and not yet resumed.
  #reserved = 0;
  #unfinished = 0;
  #state: 'open' | 'shutdown' | 'immediate' = 'open';

  /** A getter resumes: it takes its item, or gives it back if it was cancelled meanwhile. */
  readonly #getterResumes = (getter: Getter<T>): T => {
    const after = asGetter(getter.next);
    this.#handed.remove(getter);
    const message = getter.cancelOnResume();
    if (message !== NO_CANCEL) {
      this.#giveBack(getter, after);
      throw cancelledOnResume(message);
    }
    const item = getter.item as T;
    getter.item = undefined;
    if (getter.holdsSlot) {
      this.#reserved--;
      this.#admitPutters();
    }
    return item;
  };

  /**
   * A putter let in resumes. A cancel that came meanwhile takes its item back out, if it is
   * still in the store (checked before the cancel is consumed: if a getter has it, the put is
   * done and the cancel waits for the next cancellation point).
   */
  readonly #putterResumes = (putter: Putter<T>): undefined => {
    const place = putter.place;
    if (place === HANDED || !putter.mayBeCancelled() || !this.#items.has(putter.item, place)) {
      return undefined;
    }
    const message = putter.cancelOnResume();
    if (message === NO_CANCEL) return undefined;
    this.#items.remove(putter.item, place);
    this.#finish(1);
    this.#admitPutters();
    throw cancelledOnResume(message);
  };

  /**
   * @param maxsize - how many items the queue holds before `put()` waits; 0 or less for no
   * limit.
   * @throws `RangeError` if `maxsize` is not an integer; `TypeError` if it is not a number.
   */
  constructor(maxsize?: number);
  /** @internal Used by the subclasses to choose the order of the items. */
  constructor(maxsize: number | undefined, items: ItemStore<T>);
  constructor(maxsize = 0, items?: ItemStore<T>) {
    if (typeof maxsize !== 'number') {
      throw new TypeError(
        `Cannot create ${new.target.name}: 'maxsize' must be an integer, received ${show(maxsize)}`,
      );
    }
    if (!Number.isInteger(maxsize)) {
      throw new RangeError(
        `Cannot create ${new.target.name}: 'maxsize' must be an integer (0 or less for no limit), received ${show(maxsize)}`,
      );
    }
    this.#maxsize = maxsize;
    this.#items = items ?? new ArrivalStore<T>('fifo');
  }

  /** How many items the queue holds before `put()` waits; 0 or less for no limit. */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** The number of items in the queue (those `getNowait()` can take now). */
  qsize(): number {
    return this.#items.size;
  }

  /** Whether the queue holds no item. */
  empty(): boolean {
    return this.#items.size === 0;
  }

  /**
   * Whether `put()` would wait: the queue is bounded and its slots are taken, by the items in it
   * and by those handed to getters that have not resumed yet. Never true when unbounded.
   */
  full(): boolean {
    return !this.#hasRoom();
  }

  /**
   * Puts an item, waiting (FIFO) while the queue is full. Waiting is a cancellation point.
   *
   * @throws `QueueShutDown` if the queue is or gets shut down before the item is in;
   * `CancelledError` if the waiting task is cancelled; the signal's reason if aborted.
   */
  put(item: T, options?: SignalOptions): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
    if (this.#state !== 'open') return Promise.reject(this.#shutDownError('put() into'));
    if (this.#hasRoom()) {
      try {
        this.#add(item);
      } catch (error) {
        return Promise.reject(error);
      }
      return DONE;
    }
    const putter = new Putter(item, signal);
    if (putter.begin()) this.#putters.push(putter);
    return withWork(putter.promise.then(this.#putterResumes), putter);
  }

  /**
   * Puts an item without waiting.
   *
   * @throws `QueueFull` if the queue is full; `QueueShutDown` if it is shut down.
   */
  putNowait(item: T): void {
    if (this.#state !== 'open') throw this.#shutDownError('putNowait() into');
    if (!this.#hasRoom()) {
      throw new QueueFull(`Cannot putNowait() into a full queue: ${this.toString()}`);
    }
    this.#add(item);
  }

  /**
   * Removes and returns an item, waiting (FIFO) while the queue is empty. Waiting is a
   * cancellation point; a cancelled `get()` never loses an item.
   *
   * @throws `QueueShutDown` once the queue is shut down and empty; `CancelledError` if the
   * waiting task is cancelled; the signal's reason if aborted.
   */
  get(options?: SignalOptions): Promise<T> {
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
    if (this.#items.size > 0) {
      try {
        return Promise.resolve(this.getNowait());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#state !== 'open') return Promise.reject(this.#shutDownError('get() from'));
    const getter = new Getter<T>(signal);
    getter.holdsSlot = this.#maxsize > 0;
    if (getter.begin()) this.#getters.push(getter);
    return withWork(getter.promise.then(this.#getterResumes), getter);
  }

  /**
   * Removes and returns an item without waiting.
   *
   * @throws `QueueEmpty` if the queue is empty; `QueueShutDown` if it is also shut down.
   */
  getNowait(): T {
    if (this.#items.size === 0) {
      if (this.#state !== 'open') throw this.#shutDownError('getNowait() from');
      throw new QueueEmpty(`Cannot getNowait() from an empty queue: ${this.toString()}`);
    }
    const item = this.#items.take();
    this.#admitPutters();
    return item;
  }

  /**
   * Marks one item got from the queue as processed (asyncio's `task_done`), for `join()`.
   *
   * @throws `InvalidStateError` if called more times than items were put.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new InvalidStateError(
        `taskDone() called more times than there were items in ${this.toString()}`,
      );
    }
    this.#finish(1);
  }

  /**
   * Waits until every item put has been marked done with `taskDone()` (or dropped by
   * `shutdown(true)`). Waiting is a cancellation point.
   *
   * @throws `CancelledError` if the waiting task is cancelled; the signal's reason if aborted.
   */
  join(options?: SignalOptions): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
    if (this.#unfinished === 0) return DONE;
    return this.#joiners.enqueue(new QueuedWait<undefined>(signal));
  }

  /**
   * Shuts the queue down (asyncio 3.13's `shutdown`): `put()` and `putNowait()` throw
   * `QueueShutDown` from now on, waiting putters too; `get()` takes the items left, then throws
   * `QueueShutDown`, and so do waiting getters. With `immediate`, the items left are dropped (and
   * count as done for `join()`) so every getter throws at once. Calling it again is allowed:
   * `shutdown(true)` after `shutdown()` drops what is left.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { Queue, QueueShutDown } from '@corio/core';
   *
   * const queue = new Queue<string>();
   * queue.putNowait('last');
   * queue.shutdown();
   * await assert.rejects(queue.put('late'), QueueShutDown);
   * assert.equal(await queue.get(), 'last');
   * await assert.rejects(queue.get(), QueueShutDown);
   * ```
   */
  shutdown(immediate = false): void {
    if (this.#state !== 'immediate') this.#state = immediate ? 'immediate' : 'shutdown';
    if (immediate) {
      const dropped = this.#items.size;
      this.#items.clear();
      this.#finish(Math.min(dropped, this.#unfinished));
    }
    if (this.#items.size === 0) this.#getters.rejectAll(() => this.#shutDownError('get() from'));
    this.#putters.rejectAll(() => this.#shutDownError('put() into'));
  }

  /**
   * Gets items with `for await` until the queue is shut down and drained. Leaving the loop
   * leaves the items not yet got in the queue; it does not call `taskDone()`.
   */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return iterate(this);
  }

  /** Renders the state: `<Queue maxsize=10 qsize=3 getters=0 putters=0>`. */
  toString(): string {
    const state = this.#state === 'open' ? '' : ' shutdown';
    return (
      `<${this.constructor.name} maxsize=${String(this.#maxsize)} qsize=${String(this.#items.size)}` +
      ` getters=${String(this.#getters.size)} putters=${String(this.#putters.size)}${state}>`
    );
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }

  #hasRoom(): boolean {
    return this.#maxsize <= 0 || this.#items.size + this.#reserved < this.#maxsize;
  }

  /**
   * Puts an item that has room: to the first getter, else into the store. Returns its place in
   * the store, or HANDED.
   */
  #add(item: T): number {
    const getter = asGetter<T>(this.#getters.shift());
    let place = HANDED;
    if (getter === undefined) place = this.#items.add(item);
    else this.#handTo(getter, item, this.#items.skip());
    this.#unfinished++;
    return place;
  }

  #handTo(getter: Getter<T>, item: T, place: number): void {
    getter.item = item;
    getter.place = place;
    if (getter.holdsSlot) this.#reserved++;
    this.#handed.push(getter);
    getter.resolve(getter);
  }

  /** Lets waiting putters in while there is room. */
  #admitPutters(): void {
    while (this.#putters.size > 0 && this.#hasRoom()) {
      const putter = asPutter<T>(this.#putters.shift());
      if (putter === undefined) return;
      try {
        putter.place = this.#add(putter.item);
      } catch (error) {
        // Only a PriorityQueue's compare can throw: this put fails, the next one may not.
        putter.reject(error);
        continue;
      }
      putter.resolve(putter);
    }
  }

  /**
   * Takes back the item of a getter cancelled before it resumed. The getters handed an item after
   * it (`after` and on) have not resumed either: as in asyncio, where they would take items from
   * the queue only when they run, the earliest of these items goes to the earliest of them, and
   * the last one left over goes to the next waiting getter or back to its place in the store.
   */
  #giveBack(from: Getter<T>, after: Getter<T> | undefined): void {
    let item = from.item as T;
    let place = from.place;
    from.item = undefined;
    if (from.holdsSlot) this.#reserved--;
    if (this.#state === 'immediate') {
      // The queue was emptied while the item was on its way: it is dropped like the others.
      this.#finish(Math.min(1, this.#unfinished));
      return;
    }
    for (let getter = after; getter !== undefined; getter = asGetter(getter.next)) {
      if (!this.#comesFirst(item, place, getter.item as T, getter.place)) continue;
      const [swappedItem, swappedPlace] = [getter.item as T, getter.place];
      getter.item = item;
      getter.place = place;
      item = swappedItem;
      place = swappedPlace;
    }
    const getter = asGetter<T>(this.#getters.shift());
    if (getter === undefined) this.#items.giveBack(item, place);
    else this.#handTo(getter, item, place);
    this.#admitPutters();
  }

  #comesFirst(a: T, placeA: number, b: T, placeB: number): boolean {
    try {
      return this.#items.before(a, placeA, b, placeB);
    } catch {
      // A PriorityQueue's compare that throws: keep the items where they are.
      return false;
    }
  }

  /** Counts `n` items as done and wakes `join()` at zero. */
  #finish(n: number): void {
    this.#unfinished -= n;
    if (this.#unfinished === 0) {
      for (
        let joiner = this.#joiners.shift();
        joiner !== undefined;
        joiner = this.#joiners.shift()
      ) {
        joiner.resolve(undefined);
      }
    }
  }

  #shutDownError(what: string): QueueShutDown {
    return new QueueShutDown(`Cannot ${what} a shut-down queue: ${this.toString()}`);
  }
}
