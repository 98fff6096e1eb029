import type { Future } from '../future.js';
import { RETRIEVE } from './symbols.js';
import type { Wait } from './wait.js';

/** Settles a wait with a done future's outcome, marking its error as retrieved. */
export function settleWaitFrom<T>(wait: Wait<T>, future: Future<T>): void {
  if (future.cancelled()) {
    wait.reject(future[RETRIEVE]());
    return;
  }
  let value: T;
  try {
    value = future.result();
  } catch (error) {
    wait.reject(error);
    return;
  }
  wait.resolve(value);
}
