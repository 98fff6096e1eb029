import { createHook } from 'node:async_hooks';
import { nodeStorage } from './current.js';
import { NODE_TASK } from './protocol.js';

/** How long one step of a task may block the event loop before debug mode names it. */
export const SLOW_STEP_MS = 100;

// The event-loop callbacks running now, innermost last, with the time already blamed on a task
// inside each. A task's first step runs inside the start queue's microtask, in the context of the
// task that created it: without this, that creator would be blamed for the same time again.
const frames: { start: number; blamed: number }[] = [];

/** Runs a task's first step, `fn`, and reports it if it blocked the event loop too long. */
export function timed(task: { toString(): string }, fn: () => unknown): unknown {
  const start = performance.now();
  try {
    return fn();
  } finally {
    const elapsed = performance.now() - start;
    if (elapsed >= SLOW_STEP_MS) reportSlowStep(task.toString(), elapsed);
  }
}

/** Reports a task step that ran `ms` milliseconds without yielding. */
export function reportSlowStep(description: string, ms: number): void {
  for (const frame of frames) frame.blamed += ms;
  console.error(`corio: Executing ${description} took ${(ms / 1000).toFixed(3)} seconds`);
}

/**
 * Debug mode's slow-step detector (asyncio's slow_callback_duration): times every callback the
 * event loop runs, and names the task whose code it was. Async hooks cost a lot, so this runs
 * only in debug mode. Returns the function that stops it.
 */
export function startSlowStepMonitor(): () => void {
  frames.length = 0;
  const hook = createHook({
    before() {
      frames.push({ start: performance.now(), blamed: 0 });
    },
    after() {
      const frame = frames.pop();
      if (frame === undefined) return;
      const elapsed = performance.now() - frame.start - frame.blamed;
      if (elapsed < SLOW_STEP_MS) return;
      const task = nodeStorage.getStore()?.[NODE_TASK];
      if (task !== undefined) reportSlowStep(task.toString(), elapsed);
    },
  });
  hook.enable();
  return () => {
    hook.disable();
    frames.length = 0;
  };
}
