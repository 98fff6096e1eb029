import { BinaryHeap } from './binary-heap.js';
import type { Compare } from './binary-heap.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * Where a queue keeps its items; `take()` decides the queue's kind (FIFO, LIFO, priority).
 *
 * An item handed straight to a waiting getter skips the store, but gets a place in it
 * (`skip()`), so that if the getter gives it back (cancelled before it resumed) the item returns
 * to the place it would have had: as if it had been put and never taken.
 */
export interface ItemStore<T> {
  readonly size: number;
  /** Stores a new item; returns its place. */
  add(item: T): number;
  /** Removes and returns the next item. Only called when `size > 0`. */
  take(): T;
  /** Records an item handed to a getter without being stored; returns its place. */
  skip(): number;
  /** Stores an item back at the place `skip()` gave it. */
  giveBack(item: T, place: number): void;
  /** Removes every item. */
  clear(): void;
  /** Whether the item stored at `place` is still there. */
  has(item: T, place: number): boolean;
  /** Removes the item stored at `place` (see `has`). */
  remove(item: T, place: number): void;
  /** Whether `a` (at `placeA`) comes out before `b` (at `placeB`). */
  before(a: T, placeA: number, b: T, placeB: number): boolean;
}

/**
 * Items in arrival order, oldest at the front: FIFO takes the front, LIFO the back.
 *
 * An item handed to a getter arrived after every item stored then (getters wait only while the
 * store is empty) and before every item stored since, so given back it goes in front of those,
 * among the other given-back items by arrival: its place is found among the few of them.
 */
export class ArrivalStore<T> implements ItemStore<T> {
  // #ring is in arrival order; its first #returned.length items were given back, and
  // #returned holds their arrival numbers, ascending.
  readonly #ring = new RingBuffer<T>();
  readonly #lifo: boolean;
  #returned: number[] = [];
  #arrivals = 0;

  constructor(order: 'fifo' | 'lifo') {
    this.#lifo = order === 'lifo';
  }

  get size(): number {
    return this.#ring.length;
  }

  add(item: T): number {
    this.#ring.push(item);
    return this.#arrivals++;
  }

  take(): T {
    if (this.#lifo) {
      const item = this.#ring.pop() as T;
      if (this.#ring.length < this.#returned.length) this.#returned.pop();
      return item;
    }
    // Array.shift is O(#returned.length): only given-back items, a handful at most.
    if (this.#returned.length > 0) this.#returned.shift();
    return this.#ring.shift() as T;
  }

  skip(): number {
    return this.#arrivals++;
  }

  giveBack(item: T, place: number): void {
    const returned = this.#returned;
    let index = returned.length;
    while (index > 0 && (returned[index - 1] as number) > place) index--;
    returned.splice(index, 0, place);
    this.#ring.insert(index, item);
  }

  clear(): void {
    this.#ring.clear();
    this.#returned = [];
  }

  // Only given-back items have a known place: a put's item is found by identity, from the back
  // (a recent put is near it; among equal values any one will do, they cannot be told apart).
  has(item: T, _place: number): boolean {
    return this.#indexOf(item) !== -1;
  }

  remove(item: T, _place: number): void {
    const index = this.#indexOf(item);
    if (index === -1) return;
    this.#ring.removeAt(index);
    if (index < this.#returned.length) this.#returned.splice(index, 1);
  }

  before(_a: T, placeA: number, _b: T, placeB: number): boolean {
    return this.#lifo ? placeA > placeB : placeA < placeB;
  }

  #indexOf(item: T): number {
    for (let index = this.#ring.length - 1; index >= 0; index--) {
      if (this.#ring.at(index) === item) return index;
    }
    return -1;
  }
}

/** Items by `compare`, ties in arrival order: a stable priority queue. */
export class HeapStore<T> implements ItemStore<T> {
  // #arrivals is above every place given out, so an item put later ties after one given back.
  readonly #heap: BinaryHeap<T>;
  readonly #compare: Compare<T>;
  #arrivals = 0;

  constructor(compare: Compare<T>) {
    this.#heap = new BinaryHeap(compare);
    this.#compare = compare;
  }

  get size(): number {
    return this.#heap.size;
  }

  add(item: T): number {
    this.#heap.push(item, this.#arrivals);
    return this.#arrivals++;
  }

  has(_item: T, place: number): boolean {
    return this.#heap.has(place);
  }

  remove(_item: T, place: number): void {
    this.#heap.remove(place);
  }

  take(): T {
    return this.#heap.pop() as T;
  }

  skip(): number {
    return this.#arrivals++;
  }

  giveBack(item: T, place: number): void {
    this.#heap.push(item, place);
  }

  clear(): void {
    this.#heap.clear();
  }

  before(a: T, placeA: number, b: T, placeB: number): boolean {
    const order = this.#compare(a, b);
    return order < 0 || (order === 0 && placeA < placeB);
  }
}
