// The shape of the core suite: a case is a set of implementations measured in paired rounds
// (bench/rounds.ts) against one baseline, and a result is what bench/results/<major>.json holds
// for each implementation (the docs' benchmarks page reads it: docs/.vitepress/benchmarks.data.ts).

import type { Impl, RoundOptions } from './rounds.js';

export type CaseId =
  | 'task'
  | 'spawn'
  | 'heap'
  | 'asyncio'
  | 'limit'
  | 'queue-1'
  | 'queue-100'
  | 'asyncio-sync'
  | 'timeout';

export type Unit = 'ns/op' | 'ms' | 'B/task';

/** A goal from the issue, met or not by the median of the per-round ratios (or the figure). */
export interface Target {
  readonly text: string;
  /** The row the ratio is taken against; default: the case's baseline. */
  readonly vs?: string;
  /** A target on the figure itself (bytes per task), not on a ratio. */
  readonly onFigure?: boolean;
  pass(figure: number, ratio: number | undefined): boolean;
}

/** One implementation of a case, with what it is compared with. */
export interface Row extends Impl {
  /** A second, like-for-like comparison (corio inside run() with p-limit inside run()). */
  readonly vs2?: string;
  readonly target?: Target;
}

/** What the results file says of a case (the docs title and chart it from this). */
export interface CaseInfo {
  readonly id: CaseId;
  readonly title: string;
  readonly unit: Unit;
  /** Every row's ratio is taken against this row, round by round. */
  readonly baseline: string;
  /** What the docs chart: the ratios to the baseline, or the figures themselves. */
  readonly plot: 'ratio' | 'value';
}

export interface Case extends CaseInfo {
  readonly rows: readonly Row[];
  readonly rounds?: RoundOptions;
}

/** One implementation's figures as the results file holds them. */
export interface Result {
  readonly id: string;
  readonly caseId: CaseId;
  readonly label: string;
  readonly unit: Unit;
  /** The figure: median, fastest and slowest of the measured rounds. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
  /** The case's baseline; the ratios below are this row's figure ÷ its figure, per round. */
  readonly vs?: string;
  readonly ratio?: number;
  readonly ratioMin?: number;
  readonly ratioMax?: number;
  readonly ratios?: readonly number[];
  readonly vs2?: string;
  readonly ratio2?: number;
  readonly ratio2Min?: number;
  readonly ratio2Max?: number;
  readonly target?: string;
  /** The row the target's ratio is against (absent: a target on the figure itself). */
  readonly targetVs?: string;
  readonly pass?: boolean;
  /** false for a figure measured in another process (CPython): its ratio is of medians. */
  readonly paired?: boolean;
  /** Heap only: the warm-up round's figure. */
  readonly firstRun?: number;
}

export const atMost = (limit: number, vs?: string): Target => ({
  text: `≤ ${String(limit)}x`,
  ...(vs === undefined ? {} : { vs }),
  pass: (_figure, ratio) => ratio !== undefined && ratio <= limit,
});

/** Faster than the row compared with: a ratio below 1. */
export const faster = (vs?: string): Target => ({
  text: '< 1x (faster)',
  ...(vs === undefined ? {} : { vs }),
  pass: (_figure, ratio) => ratio !== undefined && ratio < 1,
});

export function check(sum: number, expected: number, where: string): void {
  if (sum !== expected) {
    throw new Error(`${where}: got ${String(sum)}, expected ${String(expected)}`);
  }
}

export const sumOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
