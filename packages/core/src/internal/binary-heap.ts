/** Orders two items: negative if `a` comes first, positive if `b` does, 0 if they tie. */
export type Compare<T> = (a: T, b: T) => number;

/**
 * A stable min-heap: `pop()` returns the item that `compare` puts first, and among items that
 * tie, the one with the lowest sequence number (given by the caller: its arrival).
 *
 * Both operations are O(log n) and atomic: they find where the item goes with `compare` before
 * they move anything, so a `compare` that throws leaves the heap as it was.
 */
export class BinaryHeap<T> {
  // #items[i] comes no later than its children #items[2i+1] and #items[2i+2], ordered by
  // #compare and then by #seqs (arrival order), so equal items leave in the order they came.
  readonly #items: T[] = [];
  readonly #seqs: number[] = [];
  readonly #compare: Compare<T>;

  constructor(compare: Compare<T>) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Adds an item; among items that tie, lower `seq`s come out first. */
  push(item: T, seq: number): void {
    const items = this.#items;
    const seqs = this.#seqs;
    const end = items.length;
    // Find where the item goes when it rises from the end, without moving anything yet.
    let target = end;
    while (target > 0) {
      const parent = (target - 1) >>> 1;
      if (this.#after(parent, item, seq)) target = parent;
      else break;
    }
    for (let hole = end; hole > target;) {
      const parent = (hole - 1) >>> 1;
      items[hole] = items[parent] as T;
      seqs[hole] = seqs[parent] as number;
      hole = parent;
    }
    items[target] = item;
    seqs[target] = seq;
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const items = this.#items;
    const seqs = this.#seqs;
    const n = items.length - 1;
    if (n < 0) return undefined;
    const top = items[0];
    const last = items[n] as T;
    const lastSeq = seqs[n] as number;
    // Find where `last` goes when it sinks from the root, without moving anything yet.
    let target = 0;
    for (;;) {
      let child = 2 * target + 1;
      if (child >= n) break;
      if (child + 1 < n && this.#before(child + 1, items[child] as T, seqs[child] as number)) {
        child++;
      }
      if (!this.#before(child, last, lastSeq)) break;
      target = child;
    }
    items.pop();
    seqs.pop();
    if (n === 0) return top;
    // Each item on the path from the root to `target` moves up one level.
    const depth = 31 - Math.clz32(target + 1);
    let hole = 0;
    for (let level = 1; level <= depth; level++) {
      const index = ((target + 1) >>> (depth - level)) - 1;
      items[hole] = items[index] as T;
      seqs[hole] = seqs[index] as number;
      hole = index;
    }
    items[hole] = last;
    seqs[hole] = lastSeq;
    return top;
  }

  /** Removes every item. */
  clear(): void {
    this.#items.length = 0;
    this.#seqs.length = 0;
  }

  /** Whether the item pushed with `seq` is still in. */
  has(seq: number): boolean {
    return this.#seqs.includes(seq);
  }

  /** Removes the item pushed with `seq`: O(n log n), for rare paths. */
  remove(seq: number): void {
    const index = this.#seqs.indexOf(seq);
    if (index === -1) return;
    const items = this.#items.splice(0);
    const seqs = this.#seqs.splice(0);
    items.forEach((item, i) => {
      if (i !== index) this.push(item, seqs[i] as number);
    });
  }

  /** Whether the item at `index` comes before (`item`, `seq`). */
  #before(index: number, item: T, seq: number): boolean {
    const order = this.#compare(this.#items[index] as T, item);
    return order < 0 || (!(order > 0) && (this.#seqs[index] as number) < seq);
  }

  /** Whether the item at `index` comes after (`item`, `seq`). */
  #after(index: number, item: T, seq: number): boolean {
    const order = this.#compare(this.#items[index] as T, item);
    return order > 0 || (!(order < 0) && (this.#seqs[index] as number) > seq);
  }
}
