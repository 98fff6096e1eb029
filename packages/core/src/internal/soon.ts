/**
 * A callback for as soon as the code running now has settled: after every promise reaction it set
 * off (and those they set off), before any timer or I/O of this turn of the event loop. This is
 * asyncio's `call_soon` as near as Node has it: a `process.nextTick` queued from a microtask runs
 * once the microtask queue is empty. (Queued from a timer's or a listener's code directly, a
 * nextTick would run before the reactions, hence the hop through one.)
 *
 * A deadline already passed expires this way: work that finishes without suspending keeps its
 * outcome (an item got, a task that completes at once), and a timer due as well (the body's
 * `sleep(1)` on a loaded machine) cannot fire first.
 */
export class Soon {
  #callback: (() => void) | undefined;

  constructor(callback: () => void) {
    this.#callback = callback;
    void Promise.resolve().then(() => {
      process.nextTick(() => {
        this.#run();
      });
    });
  }

  /** Whether it has neither run nor been cleared. */
  get pending(): boolean {
    return this.#callback !== undefined;
  }

  /** Drops the callback if it has not run yet. */
  clear(): void {
    this.#callback = undefined;
  }

  #run(): void {
    const callback = this.#callback;
    this.#callback = undefined;
    callback?.();
  }
}
