import { QueuedWait } from './waiter-queue.js';

// The waiters of a Queue (see queue.ts for how they are used).

/**
 * A waiting `get()`, resumed with itself, not with the item: until it has resumed, the item
 * handed to it may still move (to an earlier getter, if one handed an item before it is
 * cancelled) or come back (if it is cancelled itself), as in asyncio, where the item stays in
 * the queue until the getter runs.
 */
export class Getter<T> extends QueuedWait<Getter<T>> {
  // From its hand-off until it resumes (it is then in #handed), `item` is its and, in a bounded
  // queue, it holds a slot (#reserved).
  item: T | undefined = undefined;
  /** The place in the store of the item handed to it (see ItemStore.skip). */
  place = 0;
  holdsSlot = false;
}

/**
 * A waiting `put()`. Let in, its item goes in at once (to the first getter, or to its place in
 * the store); if a cancel arrives before it resumes and the item is still in the store, the item
 * is taken out again and the put throws: it either completes or leaves no trace.
 */
export class Putter<T> extends QueuedWait<Putter<T>> {
  /** Where its item went in the store, or HANDED if a getter got it. */
  place = HANDED;

  constructor(
    readonly item: T,
    signal: AbortSignal | undefined,
  ) {
    super(signal);
  }
}

/** A waiter of a queue's getters (or of #handed) as the Getter it is. */
export function asGetter<T>(wait: QueuedWait<Getter<T>> | undefined): Getter<T> | undefined {
  return wait instanceof Getter ? (wait as Getter<T>) : undefined;
}

/** A waiter of a queue's putters as the Putter it is. */
export function asPutter<T>(wait: QueuedWait<Putter<T>> | undefined): Putter<T> | undefined {
  return wait instanceof Putter ? (wait as Putter<T>) : undefined;
}

/** The place of an item that went straight to a getter: no longer the queue's to take back. */
export const HANDED = -1;
