// How taskTree() renders what a task waits on. Only ever called when the tree is asked for.

/** A time left, rounded to a tenth of a second: `1.2 s left`, `expired 0.3 s ago`. */
export function describeLeft(ms: number): string {
  if (ms === Infinity) return 'no deadline';
  if (ms < 0) return `expired ${(-ms / 1000).toFixed(1)} s ago`;
  return `${(ms / 1000).toFixed(1)} s left`;
}
