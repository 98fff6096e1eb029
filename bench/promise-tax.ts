// What corio's first task does to every other promise in the process:
// `pnpm bench:promise-tax` (run it with each Node: `node --expose-gc --import tsx
// bench/promise-tax.ts`).
//
// Plain JavaScript, no corio API involved, measured in a fresh process before any task has
// started, then again after one has (in the same process, so the same JIT state). On Node 22,
// AsyncLocalStorage runs on V8's promise hooks, which the first task switches on for good: the
// second figures pay for them. Node 24's AsyncContextFrame has no such hooks. The paired suite
// (bench/index.ts) cannot show this: its baselines run after corio's first round. Rounds
// alternate nothing here, as the "before" can only come first: each figure is the median of 9
// samples, each after a full GC, and the ratio of the two medians is printed with the load.

import { loadavg } from 'node:os';
import { createTask } from '@corio/core';
import { median } from './harness.js';

const AWAITS = 200_000;
const CALLS = 100_000;

/** The unit of work: yields once, returns 1. */
async function work(): Promise<number> {
  // A bare `await null` is the point: one microtask yield.
  // eslint-disable-next-line @typescript-eslint/await-thenable
  await null;
  return 1;
}
const calls = Array.from({ length: CALLS }, () => work);

/** ns per `await work()` in a loop. */
async function awaitLoop(): Promise<number> {
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < AWAITS; i++) sum += await work();
  const ms = performance.now() - start;
  if (sum !== AWAITS) throw new Error('promise-tax: a result went missing');
  return (ms / AWAITS) * 1e6;
}

/** ms for `Promise.all` over 100,000 calls. */
async function promiseAll(): Promise<number> {
  const start = performance.now();
  const results = await Promise.all(calls.map((call) => call()));
  const ms = performance.now() - start;
  if (results.length !== CALLS) throw new Error('promise-tax: a result went missing');
  return ms;
}

async function sample(): Promise<[number, number]> {
  const gc = globalThis.gc;
  const awaits: number[] = [];
  const alls: number[] = [];
  for (let i = 0; i < 9; i++) {
    gc?.();
    awaits.push(await awaitLoop());
    gc?.();
    alls.push(await promiseAll());
  }
  return [median(awaits), median(alls)];
}

const loadBefore = loadavg()[0] ?? 0;
const [awaitBefore, allBefore] = await sample();
await createTask(() => 1);
const [awaitAfter, allAfter] = await sample();
/** A row of the table: `[before, after]` in `unit`, with `digits` decimals, and their ratio. */
function row(label: string, [before, after]: [number, number], unit: string, digits = 0): string {
  const cell = (value: number): string => `${value.toFixed(digits).padStart(8)} ${unit}`;
  return `  ${label.padEnd(36)} ${cell(before)} ${cell(after)}  ${(after / before).toFixed(2)}x`;
}
console.log(
  `Node ${process.version}; load ${loadBefore.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}` +
    (globalThis.gc === undefined ? '; no --expose-gc: samples not preceded by a GC' : ''),
);
console.log(
  `  ${'plain JavaScript'.padEnd(36)} ${'before any task'.padStart(11)} ${'after one'.padStart(11)}`,
);
console.log(row('await work() (per call)', [awaitBefore, awaitAfter], 'ns'));
console.log(row('Promise.all over 100,000 calls', [allBefore, allAfter], 'ms', 1));
