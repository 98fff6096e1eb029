import { AsyncLocalStorage } from 'node:async_hooks';
import { InvalidStateError } from './errors.js';
import { BinaryHeap } from './internal/binary-heap.js';
import type { ClockEntry, InstalledClock } from './internal/clock.js';
import { inspectSymbol } from './internal/inspect.js';
import { clearReal, realImmediate, realTimeout, realTurn } from './internal/real-timers.js';
import { immediatePending } from './internal/resources.js';
import { MAX_TIMER_DELAY, checkDuration, show } from './internal/validate.js';

/** @internal The clock's side of the protocol, for withVirtualClock and its autojump. */
export const CLOCK_HOOKS = Symbol('corio.clockHooks');
/** @internal Fires the next pending timer, moving the time to its deadline; false if none. */
export const FIRE_NEXT = Symbol('corio.fireNext');
/** @internal Counts every change to the timers: scheduled, cancelled or fired. */
export const ACTIVITY = Symbol('corio.activity');
/** @internal Ends the clock: see withVirtualClock. */
export const RETIRE = Symbol('corio.retire');
/** @internal Whether an advance() is running. */
export const ADVANCING = Symbol('corio.advancing');
/** @internal Makes a clock (the constructor is private: clocks come from withVirtualClock). */
export const CREATE = Symbol('corio.createClock');

/**
 * How many turns of the event loop advance() lets pass, after each timer it fires, for the
 * immediates queued meanwhile (a woken task's `sleep(0)`) before it fires the next.
 */
const SETTLE_TURNS = 1_000;

// An entry is pending until it fires or is cancelled, and leaves #heap lazily: a cancelled one
// is skipped when it comes first. #live counts the pending ones.
class Entry implements ClockEntry {
  state: 'pending' | 'fired' | 'cancelled' = 'pending';
  /** Set once the clock has retired: the entry then waits on a real timer. */
  handle: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly when: number,
    readonly fire: () => void,
    readonly clock: VirtualClock,
  ) {}

  cancel(): void {
    if (this.state !== 'pending') return;
    this.state = 'cancelled';
    if (this.handle === undefined) this.clock[CLOCK_HOOKS].cancelled();
    else clearReal(this.handle);
  }

  /** Waits on a real timer for the `ms` it has left (chained past Node's longest delay). */
  wait(ms: number): void {
    if (ms > MAX_TIMER_DELAY) {
      this.handle = realTimeout(() => {
        this.wait(ms - MAX_TIMER_DELAY);
      }, MAX_TIMER_DELAY);
      return;
    }
    this.handle = realTimeout(() => {
      this.state = 'fired';
      this.fire();
    }, ms);
  }
}

/**
 * A clock for tests that moves only when told to (Trio's `MockClock`): while it is installed by
 * {@link withVirtualClock}, every corio timer runs on it: `sleep`, `timeout`, `timeoutAt`,
 * `waitFor`, the timeouts of `wait` and `asCompleted`, and `now()`.
 *
 * Its time starts at `start` (0 by default) and moves forward by {@link VirtualClock.advance},
 * or by itself with the `autojump` option. `sleep(0)` and other waits of `ms <= 0` are a turn of
 * the real event loop, not time: they need no advance.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, now, sleep } from '@corio/core';
 * import { withVirtualClock } from '@corio/core/testing';
 *
 * await withVirtualClock(async (clock) => {
 *   const task = createTask(() => sleep(60_000, 'a minute later'));
 *   await clock.advance(59_999);
 *   assert.equal(task.done(), false);
 *   await clock.advance(1);
 *   assert.equal(await task, 'a minute later');
 *   assert.equal(now(), 60_000);
 * });
 * ```
 */
export class VirtualClock {
  // #heap holds every pending entry (and cancelled ones not yet skipped), ordered by deadline,
  // then by the order they were scheduled in; none of them is due before #now unless a pump or
  // an advance() that will fire it is on its way.
  #now: number;
  readonly #heap = new BinaryHeap<Entry>((a, b) => a.when - b.when);
  #seq = 0;
  #live = 0;
  #activity = 0;
  #advancing = false;
  #retired = false;
  #pump: NodeJS.Immediate | undefined = undefined;

  private constructor(start: number) {
    this.#now = start;
  }

  /** @internal Use {@link withVirtualClock}. */
  static [CREATE](start: number): VirtualClock {
    return new VirtualClock(start);
  }

  /** The time on this clock, in ms: what `now()` returns while it is installed. */
  now(): number {
    return this.#now;
  }

  /** The deadline of the next pending timer, or `null` if none will ever fall due. */
  nextDeadline(): number | null {
    const when = this.#first()?.when ?? Infinity;
    return when === Infinity ? null : when;
  }

  /**
   * Moves the time forward by `ms`, firing on the way every timer that falls due, in deadline
   * order (timers due at the same time in the order they were set). Before each timer it lets
   * the event loop turn until the code woken by the previous one has run (its microtasks, and
   * its immediates, for up to 1000 turns), so a task woken at 10 ms that sleeps 5 ms more wakes
   * at 15 ms, before a timer due at 20 ms.
   *
   * @param ms - how far to move, in ms: a finite number, 0 or more.
   * @returns a promise that resolves once the time is `now() + ms` and the code woken has run.
   * @throws `RangeError` (as a rejection) if `ms` is negative, `NaN` or infinite; `TypeError` if
   * it is not a number; `InvalidStateError` if another `advance()` is running.
   */
  async advance(ms: number): Promise<void> {
    checkDuration('VirtualClock.advance', 'ms', ms);
    if (ms < 0 || !Number.isFinite(ms)) {
      throw new RangeError(
        `VirtualClock.advance: 'ms' must be a finite number, 0 or more, received ${show(ms)}`,
      );
    }
    if (this.#advancing) {
      throw new InvalidStateError(`Cannot advance ${this.toString()}: an advance() is running`);
    }
    this.#advancing = true;
    try {
      const target = this.#now + ms;
      await this.#settle();
      while (!this.#retired && (this.#first()?.when ?? Infinity) <= target) {
        this[FIRE_NEXT]();
        await this.#settle();
      }
      if (!this.#retired) this.#now = Math.max(this.#now, target);
    } finally {
      this.#advancing = false;
    }
  }

  /** Renders the state: `<VirtualClock now=1500.0 timers:2>`. */
  toString(): string {
    const state = this.#retired ? ' retired' : '';
    return `<VirtualClock${state} now=${this.#now.toFixed(1)} timers:${String(this.#live)}>`;
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }

  /** @internal What the timers of every copy of corio call (see internal/clock.ts). */
  readonly [CLOCK_HOOKS]: InstalledClock & { cancelled(): void } = {
    now: (): number => this.#now,
    at: (when: number, fire: () => void): ClockEntry => this.#at(when, fire),
    cancelled: (): void => {
      this.#live--;
      this.#activity++;
    },
  };

  /** @internal */
  get [ACTIVITY](): number {
    return this.#activity;
  }

  /** @internal */
  get [ADVANCING](): boolean {
    return this.#advancing;
  }

  /** @internal Fires the first pending timer, moving the time to its deadline if later. */
  [FIRE_NEXT](): boolean {
    const entry = this.#first();
    if (entry === undefined || entry.when === Infinity) return false;
    this.#heap.pop();
    entry.state = 'fired';
    this.#live--;
    this.#activity++;
    if (entry.when > this.#now) this.#now = entry.when;
    entry.fire();
    return true;
  }

  /**
   * @internal The clock is uninstalled: from now on its pending timers wait on real timers for
   * the time they had left, so that nothing waiting on them is stranded, and its time stands.
   */
  [RETIRE](): void {
    this.#retired = true;
    clearReal(this.#pump);
    this.#pump = undefined;
    for (let entry = this.#heap.pop(); entry !== undefined; entry = this.#heap.pop()) {
      if (entry.state === 'pending') entry.wait(entry.when - this.#now);
    }
    this.#live = 0;
  }

  #at(when: number, callback: () => void): ClockEntry {
    // The callback runs in the async context it was scheduled in, as a Node timer's does.
    const entry = new Entry(Math.max(when, this.#now), AsyncLocalStorage.bind(callback), this);
    if (this.#retired) {
      // Only a caller that kept the clock's hooks: never while it is installed.
      entry.wait(entry.when - this.#now);
      return entry;
    }
    this.#heap.push(entry, this.#seq++);
    this.#live++;
    this.#activity++;
    if (entry.when <= this.#now) this.#armPump();
    return entry;
  }

  /** Fires the timers already due (scheduled at the current time), one per turn. */
  #armPump(): void {
    this.#pump ??= realImmediate(() => {
      this.#pump = undefined;
      if (this.#advancing) return; // advance() fires them
      if ((this.#first()?.when ?? Infinity) <= this.#now) {
        this[FIRE_NEXT]();
        this.#armPump();
      }
    });
  }

  /** The first pending entry, dropping the cancelled ones in front of it. */
  #first(): Entry | undefined {
    let entry = this.#heap.peek();
    while (entry !== undefined && entry.state !== 'pending') {
      this.#heap.pop();
      entry = this.#heap.peek();
    }
    return entry;
  }

  /** Lets the code woken by a timer run: turns until no immediate is pending (bounded). */
  async #settle(): Promise<void> {
    for (let turn = 0; turn < SETTLE_TURNS; turn++) {
      await realTurn();
      if (!immediatePending()) return;
    }
  }
}
