import { CancelledError } from '../errors.js';
import { currentNode } from './current.js';
import {
  CANCEL_WORK,
  DELIVER,
  DESCRIBE,
  NODE_TASK,
  NO_CANCEL,
  PENDING,
  withWork,
} from './protocol.js';
import type { CancelMessage, CancelNode, Printable } from './protocol.js';
import { Wait } from './wait.js';

/**
 * A caller waiting in a primitive's FIFO queue (a Lock's acquirers, a Queue's getters).
 *
 * It leaves the queue by itself when it is cancelled or aborted, so a cancelled waiter never
 * holds a place, and a primitive only ever hands things to live waiters. `resolve` from the
 * primitive is a hand-off: the permit or item is the waiter's from then on. A cancellation that
 * arrives after the hand-off but before the waiting code resumes is handled by `giveBack` (see
 * `QueuedWait.constructor`): never both the value and the cancellation lost.
 */
export class QueuedWait<T> extends Wait<T> {
  /** @internal Links in the WaiterQueue. */
  prev: QueuedWait<T> | undefined = undefined;
  /** @internal */
  next: QueuedWait<T> | undefined = undefined;
  /** @internal The queue it is in, while it is in one. */
  queue: WaiterQueue<T> | undefined = undefined;
  /** A cancel of the work (see protocol.ts, WORK) that came after the hand-off. */
  late: CancelMessage = NO_CANCEL;
  readonly #giveBack: ((value: T) => void) | undefined;

  /**
   * @param signal - aborts the wait, rejecting with its reason.
   * @param giveBack - if set, a cancellation that reaches the waiting code after the hand-off
   * but before it resumed makes the wait reject with `CancelledError` after `giveBack(value)`
   * has returned the permit or item (asyncio's rule). Without it, the value is delivered and
   * the cancellation surfaces at the next cancellation point.
   * @param node - the node the wait belongs to; by default the one of the code running now.
   */
  constructor(
    signal: AbortSignal | undefined,
    giveBack?: (value: T) => void,
    node: CancelNode | undefined = currentNode(),
  ) {
    super(signal, node);
    this.#giveBack = giveBack;
  }

  /**
   * For a caller that awaits `promise` itself (a `use(fn)`, whose wait nobody else holds): the
   * check on resume that `result` makes in a reaction of its own. Call it right after the await.
   *
   * @throws `CancelledError` (after giving the value back) if a cancellation reached the waiting
   * code after the hand-off.
   */
  resumed(value: T): void {
    const giveBack = this.#giveBack;
    if (giveBack !== undefined) this.#resume(value, giveBack);
  }

  /**
   * What the caller awaits: the wait's promise, with the check on resume when there is something
   * to give back; it carries the wait (see protocol.ts, WORK).
   */
  get result(): Promise<T> {
    const giveBack = this.#giveBack;
    if (giveBack === undefined) return withWork(this.promise, this);
    return withWork(
      this.promise.then((value) => this.#resume(value, giveBack)),
      this,
    );
  }

  /** Whether a cancellation may be waiting for the code about to resume (cheap, no decision). */
  mayBeCancelled(): boolean {
    if (this.late !== NO_CANCEL) return true;
    const node = this.node;
    return node?.[NODE_TASK][PENDING](node) === true;
  }

  /**
   * The cancellation that must undo the hand-off, or NO_CANCEL: one of the work that came after
   * it, or one pending for the waiting code. Call it from a reaction chained to the wait's
   * promise, as the waiting code resumes (so its owner can be told, see ownership.ts).
   */
  cancelOnResume(): CancelMessage {
    const late = this.late;
    if (late !== NO_CANCEL) {
      this.late = NO_CANCEL;
      return late;
    }
    const node = this.node;
    return node === undefined ? NO_CANCEL : node[NODE_TASK][DELIVER](node);
  }

  /** @internal */
  override [CANCEL_WORK](message: string | undefined): void {
    if (this.active) super[CANCEL_WORK](message);
    else this.late = message;
  }

  protected override stop(): void {
    this.queue?.remove(this);
  }

  /** @internal `acquire <Lock [locked, waiters:2]>`: what its queue says it is. */
  override [DESCRIBE](): string {
    return this.queue?.describe() ?? super[DESCRIBE]();
  }

  #resume(value: T, giveBack: (value: T) => void): T {
    const message = this.cancelOnResume();
    if (message === NO_CANCEL) return value;
    giveBack(value);
    throw cancelledOnResume(message);
  }
}

/** The CancelledError a wait throws when a cancellation undid its hand-off. */
export function cancelledOnResume(message: string | undefined): CancelledError {
  const error = new CancelledError(message);
  Error.captureStackTrace(error, cancelledOnResume);
  return error;
}

/** A FIFO of waiters: O(1) push, shift, and removal of a waiter that gave up. */
export class WaiterQueue<T> {
  // #size counts exactly the waiters linked from #head; every one of them is active.
  #head: QueuedWait<T> | undefined = undefined;
  #tail: QueuedWait<T> | undefined = undefined;
  #size = 0;

  /**
   * @param owner - the primitive, whose printed state describes its waiters in the task tree.
   * @param verb - what its waiters are doing: `acquire`, `get`, `wait`.
   */
  constructor(
    readonly owner?: Printable,
    readonly verb?: string,
  ) {}

  /** For taskTree(): `acquire <Lock [locked, waiters:2]>`. */
  describe(): string | undefined {
    const owner = this.owner;
    return owner === undefined ? undefined : `${this.verb ?? 'wait'} ${owner.toString()}`;
  }

  get size(): number {
    return this.#size;
  }

  /** The first waiter, without removing it. */
  peek(): QueuedWait<T> | undefined {
    return this.#head;
  }

  /**
   * Starts `wait` and, if it is still waiting (no pending cancel, signal not aborted), appends
   * it. Returns what the caller should await.
   */
  enqueue(wait: QueuedWait<T>): Promise<T> {
    this.start(wait);
    return wait.result;
  }

  /**
   * Starts `wait` and appends it if it is still waiting. The caller awaits `wait.result`, or, if
   * nobody else holds the wait (a `use(fn)`), `wait.promise` followed by `wait.resumed()`: one
   * promise and one reaction fewer.
   */
  start(wait: QueuedWait<T>): void {
    if (wait.begin()) this.push(wait);
  }

  /** Appends a started wait. */
  push(wait: QueuedWait<T>): void {
    wait.queue = this;
    wait.prev = this.#tail;
    wait.next = undefined;
    if (this.#tail === undefined) this.#head = wait;
    else this.#tail.next = wait;
    this.#tail = wait;
    this.#size++;
  }

  /** Removes and returns the first waiter. */
  shift(): QueuedWait<T> | undefined {
    const wait = this.#head;
    if (wait !== undefined) this.remove(wait);
    return wait;
  }

  /** Removes a waiter (no-op if it is not in this queue). */
  remove(wait: QueuedWait<T>): void {
    if (wait.queue !== this) return;
    const { prev, next } = wait;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    wait.prev = wait.next = wait.queue = undefined;
    this.#size--;
  }

  /** Removes every waiter and rejects each with `reason` (a shutdown, a broken barrier). */
  rejectAll(reason: () => unknown): void {
    for (let wait = this.shift(); wait !== undefined; wait = this.shift()) wait.reject(reason());
  }

  *[Symbol.iterator](): Generator<QueuedWait<T>> {
    for (let wait = this.#head; wait !== undefined; wait = wait.next) yield wait;
  }
}

/**
 * The rejection for a call whose signal is already aborted, or undefined. Checked before any
 * fast path, as Node's signal-taking APIs do: an aborted signal means "don't", even when the call
 * would not have had to wait; the primitive is left untouched.
 */
export function abortedCall(signal: AbortSignal | undefined): Promise<never> | undefined {
  return signal?.aborted === true ? Promise.reject(signal.reason as Error) : undefined;
}
