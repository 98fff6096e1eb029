const MIN_CAPACITY = 16;

/**
 * A double-ended queue on a circular array: O(1) push and pop at both ends (amortised over the
 * doublings and halvings of its capacity), where `Array.prototype.shift` is O(n).
 *
 * Callers check `length` before `shift`/`pop`: an empty buffer returns `undefined`, which may
 * also be a stored value.
 */
export class RingBuffer<T> {
  // The #length items are at #slots[(#head + i) & (#slots.length - 1)]; every other slot is empty.
  #slots: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends at the back. */
  push(item: T): void {
    if (this.#length === this.#slots.length) this.#resize(this.#slots.length * 2);
    this.#slots[(this.#head + this.#length) & (this.#slots.length - 1)] = item;
    this.#length++;
  }

  /** Prepends at the front. */
  unshift(item: T): void {
    if (this.#length === this.#slots.length) this.#resize(this.#slots.length * 2);
    this.#head = (this.#head - 1) & (this.#slots.length - 1);
    this.#slots[this.#head] = item;
    this.#length++;
  }

  /** Inserts `item` so that it is `index` places from the front: O(index). */
  insert(index: number, item: T): void {
    if (!Number.isInteger(index) || index < 0 || index > this.#length) {
      throw new RangeError(`RingBuffer.insert: index ${String(index)} is out of range`);
    }
    this.unshift(item);
    const mask = this.#slots.length - 1;
    for (let i = 0; i < index; i++) {
      const here = (this.#head + i) & mask;
      const next = (here + 1) & mask;
      this.#slots[here] = this.#slots[next];
      this.#slots[next] = item;
    }
  }

  /** Removes the item `index` places from the front: O(length - index). */
  removeAt(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) {
      throw new RangeError(`RingBuffer.removeAt: index ${String(index)} is out of range`);
    }
    const mask = this.#slots.length - 1;
    for (let i = index; i < this.#length - 1; i++) {
      this.#slots[(this.#head + i) & mask] = this.#slots[(this.#head + i + 1) & mask];
    }
    this.#slots[(this.#head + this.#length - 1) & mask] = undefined;
    this.#length--;
    this.#shrink();
  }

  /** Removes and returns the front item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#slots.length - 1);
    this.#length--;
    this.#shrink();
    return item;
  }

  /** Removes and returns the back item. */
  pop(): T | undefined {
    if (this.#length === 0) return undefined;
    const index = (this.#head + this.#length - 1) & (this.#slots.length - 1);
    const item = this.#slots[index];
    this.#slots[index] = undefined;
    this.#length--;
    this.#shrink();
    return item;
  }

  /** The item `index` places from the front (negative: from the back), like `Array.at`. */
  at(index: number): T | undefined {
    const i = index < 0 ? this.#length + index : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.#length) return undefined;
    return this.#slots[(this.#head + i) & (this.#slots.length - 1)];
  }

  /** Removes every item. */
  clear(): void {
    this.#slots = new Array<T | undefined>(MIN_CAPACITY);
    this.#head = 0;
    this.#length = 0;
  }

  /** The items from front to back. */
  *[Symbol.iterator](): Generator<T> {
    for (let i = 0; i < this.#length; i++) {
      yield this.#slots[(this.#head + i) & (this.#slots.length - 1)] as T;
    }
  }

  // Halving at a quarter full keeps memory proportional to the contents after a burst, and the
  // gap between the two thresholds keeps the cost amortised O(1).
  #shrink(): void {
    const capacity = this.#slots.length;
    if (capacity > MIN_CAPACITY && this.#length <= capacity >>> 2) this.#resize(capacity >>> 1);
  }

  #resize(capacity: number): void {
    const slots = new Array<T | undefined>(capacity);
    const mask = this.#slots.length - 1;
    for (let i = 0; i < this.#length; i++) slots[i] = this.#slots[(this.#head + i) & mask];
    this.#slots = slots;
    this.#head = 0;
  }
}
