/**
 * Runs `callback` as soon as the code running now has settled: after every promise reaction it
 * set off (and those they set off), before any timer or I/O of this turn of the event loop. This
 * is asyncio's `call_soon` as near as Node has it: a `process.nextTick` queued from a microtask
 * runs once the microtask queue is empty. (Queued from a timer's or a listener's code directly, a
 * nextTick would run before the reactions, hence the hop through one.)
 *
 * Deadlines already passed expire this way (see deadlines.ts). Not in a plain microtask: work
 * that finishes without suspending must keep its outcome (a task that took a permit at once would
 * be cancelled before it returned, and its permit dropped). Not in an immediate: a timer due as
 * well (the body's `sleep(1)` on a loaded machine) would fire first.
 */
export function soon(callback: () => void): void {
  void Promise.resolve(callback).then(nextTick);
}

// Shared, so that soon() makes no closure per call.
function nextTick(callback: () => void): void {
  process.nextTick(callback);
}
