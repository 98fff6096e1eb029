import { createHook } from 'node:async_hooks';
import { taskStorage } from './current.js';

/** How long one step of a task may block the event loop before debug mode names it. */
export const SLOW_STEP_MS = 100;

/** Reports a task step that ran `ms` milliseconds without yielding. */
export function reportSlowStep(description: string, ms: number): void {
  console.error(`corio: Executing ${description} took ${(ms / 1000).toFixed(3)} seconds`);
}

/**
 * Debug mode's slow-step detector (asyncio's slow_callback_duration): times every callback the
 * event loop runs, and names the task whose code it was. Async hooks cost a lot, so this runs
 * only in debug mode. Returns the function that stops it.
 */
export function startSlowStepMonitor(): () => void {
  const starts: number[] = [];
  const hook = createHook({
    before() {
      starts.push(performance.now());
    },
    after() {
      const start = starts.pop();
      if (start === undefined) return;
      const elapsed = performance.now() - start;
      if (elapsed < SLOW_STEP_MS) return;
      const task = taskStorage.getStore();
      if (task !== undefined) reportSlowStep(task.toString(), elapsed);
    },
  });
  hook.enable();
  return () => {
    hook.disable();
  };
}
