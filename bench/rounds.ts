// Paired rounds: every implementation of a case runs once per round, in one process, in an order
// rotated round by round, and each ratio is taken within a round. A machine that slows down (two
// shared cores, other benchmarks running) slows every implementation of that round alike, so the
// ratio stays meaningful where a ratio of medians measured minutes apart does not: the suite once
// reported spawn+join at 3.3x Promise.all that, paired, was 5.6-6.6x.

import { calibrate, median } from './harness.js';
import type { Loop } from './harness.js';

/** One implementation of a case: `sample()` runs it once and returns its own figure. */
export interface Impl {
  readonly id: string;
  readonly label: string;
  sample(): Promise<number>;
  /** Runs in the first `maxRounds` measured rounds only (for one far slower than the rest). */
  readonly maxRounds?: number;
  /** false: skips the warm-up rounds (for one that takes seconds). @default true */
  readonly warmup?: boolean;
}

/** How many rounds to run; the warm-up rounds are discarded. */
export interface RoundOptions {
  /** @default 2 */
  readonly warmup?: number;
  /** @default 10 */
  readonly rounds?: number;
  /** Called after each round (progress on stderr). */
  readonly onRound?: (round: number, total: number) => void;
}

/** Each implementation's figure, round by round; `undefined` where it did not run. */
export type RoundFigures = ReadonlyMap<string, readonly (number | undefined)[]>;

/** The median, min and max of a set of figures. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Runs `warmup + rounds` rounds. In round r the implementations run in their order rotated by r,
 * so each takes every position equally often and a drift within a round cancels out.
 *
 * With `gc()` (node --expose-gc), a full collection runs before each sample, outside its timing:
 * otherwise a sample pays for the garbage of the one before it (100k tasks, or an Effect sample's
 * fibers), which inflates a fast baseline and pulls every ratio towards 1.
 */
export async function runRounds(
  impls: readonly Impl[],
  options: RoundOptions = {},
): Promise<RoundFigures> {
  const { warmup = 2, rounds = 10, onRound } = options;
  const figures = new Map(impls.map((impl) => [impl.id, [] as (number | undefined)[]]));
  for (let round = 0; round < warmup + rounds; round++) {
    const measured = round - warmup;
    const order = impls.map((_, i) => impls[(i + round) % impls.length] as Impl);
    const got = new Map<string, number>();
    for (const impl of order) {
      if (measured >= (impl.maxRounds ?? Infinity)) continue;
      if (measured < 0 && impl.warmup === false) continue;
      globalThis.gc?.();
      got.set(impl.id, await impl.sample());
    }
    onRound?.(round + 1, warmup + rounds);
    if (measured < 0) continue;
    for (const impl of impls) figures.get(impl.id)?.push(got.get(impl.id));
  }
  return figures;
}

/** The figures that were measured, without the rounds an implementation skipped. */
export function measured(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined);
}

/** `a ÷ b` round by round, over the rounds in which both ran. */
export function roundRatios(
  a: readonly (number | undefined)[],
  b: readonly (number | undefined)[],
): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== undefined && y !== undefined) ratios.push(x / y);
  }
  return ratios;
}

/**
 * A sample in nanoseconds per operation of `loop`: the first call finds a batch size (and warms
 * the JIT), every call repeats that batch until at least `targetMs` have passed.
 */
export function opsSample(loop: Loop, targetMs = 50): () => Promise<number> {
  let batch: number | undefined;
  return async () => {
    batch ??= await calibrate(loop, targetMs / 10);
    let ms = 0;
    let n = 0;
    while (ms < targetMs) {
      ms += await loop(batch);
      n += batch;
    }
    return (ms * 1e6) / n;
  };
}
