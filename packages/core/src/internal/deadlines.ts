import type { ClockEntry } from './clock.js';
import { nodeStorage, runtime } from './current.js';
import { soon } from './soon.js';
import { MAX_TIMER_DELAY } from './validate.js';

/** Called on a deadline's owner when it passes. */
export const EXPIRE = Symbol('corio.expire');

/** What a deadline tells when it passes. */
export interface Expiring {
  [EXPIRE](): void;
}

/**
 * A deadline in the shared schedule of corio's scopes (`timeout`, `timeoutAt`, `waitFor`).
 * Scheduled while `index >= 0`, or while `entry` is set (on an installed clock instead).
 */
export class Deadline {
  /** Its place in the heap; -1 when not scheduled. */
  index = -1;
  /** Its place on the installed clock (`@corio/core/testing`), if it was scheduled there. */
  entry: ClockEntry | undefined = undefined;

  constructor(
    readonly when: number,
    readonly owner: Expiring,
  ) {}
}

// Most deadlines never fire: a scope opens, its body finishes, the deadline is dropped. One Node
// timer per scope would create and destroy a timer list per scope (most of a never-firing
// timeout's cost), so the deadlines share one timer, armed for the earliest of them. When the
// last deadline is dropped the timer stays armed, unreferenced (it holds no process open), and
// simply finds nothing when it fires; the next deadline usually comes later than it and reuses
// it. Under fake timers (a test that counts timers) an idle timer is cleared at once instead.

const heap: Deadline[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let armedFor = Infinity;
let armedWith: typeof setTimeout | undefined;
let clearWith: typeof clearTimeout = clearTimeout;
let referenced = false;

/**
 * Schedules `deadline`; it fires once `performance.now()` reaches `when` (or, while a clock is
 * installed, once that clock does: see clock.ts). One already reached fires as asyncio's
 * `call_soon` would (see soon.ts): once the code running now has settled, before any timer, so
 * `timeout(-1, body)` expires at the body's first cancellation point even when a timer of the
 * body (a `sleep(1)`) is due as well, and a body that ends first has unscheduled it.
 */
export function schedule(deadline: Deadline): void {
  const clock = runtime.clock;
  if (clock !== undefined) {
    // On the installed clock, which keeps its own schedule; it is never armed here.
    deadline.entry = clock.at(deadline.when, () => {
      deadline.entry = undefined;
      deadline.owner[EXPIRE]();
    });
    return;
  }
  deadline.index = heap.length;
  heap.push(deadline);
  siftUp(deadline.index);
  if (deadline.when <= performance.now()) soon(expireDue);
  else arm();
}

/** Fires the deadlines already reached, without touching the timer. */
function expireDue(): void {
  const now = performance.now();
  for (let first = heap[0]; first !== undefined && first.when <= now; first = heap[0]) {
    unschedule(first);
    first.owner[EXPIRE]();
  }
}

/** Drops a scheduled deadline (no-op if it is not scheduled). */
export function unschedule(deadline: Deadline): void {
  if (deadline.entry !== undefined) {
    deadline.entry.cancel();
    deadline.entry = undefined;
    return;
  }
  const index = deadline.index;
  if (index < 0) return;
  deadline.index = -1;
  const last = heap.pop() as Deadline;
  if (index < heap.length) {
    heap[index] = last;
    last.index = index;
    siftDown(index);
    siftUp(last.index);
  }
  if (heap.length === 0) idle();
}

function arm(): void {
  const first = heap[0];
  if (first === undefined) return;
  if (timer !== undefined && armedWith === setTimeout && armedFor <= first.when) {
    // An earlier (or equal) fire will re-arm for this one.
    if (!referenced) {
      timer.ref();
      referenced = true;
    }
    return;
  }
  if (timer !== undefined) clear();
  const delay = Math.min(Math.max(Math.ceil(first.when - performance.now()), 1), MAX_TIMER_DELAY);
  armedWith = setTimeout;
  clearWith = clearTimeout;
  armedFor = performance.now() + delay;
  // Armed outside corio's async context: the shared timer outlives the scope that armed it, and
  // a timer keeps its context alive, which held the task that armed it, and its result, until
  // the timer fired (a finished task that had used timeout(60_000) stayed in memory 60 s).
  timer = nodeStorage.exit(armTimer, delay);
  referenced = true;
}

function armTimer(delay: number): ReturnType<typeof setTimeout> {
  return setTimeout(fire, delay);
}

function idle(): void {
  if (timer === undefined) return;
  if (isFake(armedWith)) clear();
  else if (referenced) {
    timer.unref();
    referenced = false;
  }
}

function clear(): void {
  clearWith(timer);
  timer = undefined;
  armedFor = Infinity;
  referenced = false;
}

function fire(): void {
  timer = undefined;
  armedFor = Infinity;
  referenced = false;
  const now = performance.now();
  for (let first = heap[0]; first !== undefined && first.when <= now; first = heap[0]) {
    unschedule(first);
    first.owner[EXPIRE]();
  }
  arm();
}

// @sinonjs/fake-timers (vitest's) marks its functions with a `clock` property.
function isFake(fn: typeof setTimeout | undefined): boolean {
  return fn !== undefined && 'clock' in fn;
}

function siftUp(start: number): void {
  let index = start;
  const item = heap[index] as Deadline;
  while (index > 0) {
    const parent = (index - 1) >>> 1;
    const above = heap[parent] as Deadline;
    if (above.when <= item.when) break;
    heap[index] = above;
    above.index = index;
    index = parent;
  }
  heap[index] = item;
  item.index = index;
}

function siftDown(start: number): void {
  let index = start;
  const item = heap[index] as Deadline;
  const length = heap.length;
  for (;;) {
    let child = 2 * index + 1;
    if (child >= length) break;
    const right = child + 1;
    if (right < length && (heap[right] as Deadline).when < (heap[child] as Deadline).when) {
      child = right;
    }
    const below = heap[child] as Deadline;
    if (below.when >= item.when) break;
    heap[index] = below;
    below.index = index;
    index = child;
  }
  heap[index] = item;
  item.index = index;
}
