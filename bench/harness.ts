// Timing, statistics and table printing for the benchmarks. In-process and sequential: one
// variant at a time, warm-up runs first, then the median of the measured runs.

/** One measured variant: its runs (in `unit`) and their median. */
export interface Measurement {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
}

/** How many runs to make; the warm-up runs are discarded. */
export interface RunOptions {
  /** @default 2 */
  warmup?: number;
  /** @default 7 */
  runs?: number;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Summarises measured runs. */
export function summarise(runs: readonly number[]): Measurement {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

/**
 * Runs `sample` `warmup + runs` times, one after another, and summarises the last `runs`
 * results. `sample` returns its own figure (it times itself, so it can time code inside a task).
 */
export async function measure(
  sample: () => Promise<number>,
  options: RunOptions = {},
): Promise<Measurement> {
  const { warmup = 2, runs = 7 } = options;
  for (let i = 0; i < warmup; i++) await sample();
  const results: number[] = [];
  for (let i = 0; i < runs; i++) results.push(await sample());
  return summarise(results);
}

/** A loop of `n` sequential operations that returns the milliseconds it took. */
export type Loop = (n: number) => Promise<number>;

/**
 * Finds a batch size for which `loop` takes about `batchMs`, from the fastest of three timings
 * (a descheduled timing would make the batch too small). Doubles as JIT warm-up.
 */
export async function calibrate(loop: Loop, batchMs = 5): Promise<number> {
  let n = 64;
  for (;;) {
    const ms = Math.min(await loop(n), await loop(n), await loop(n));
    if (ms >= batchMs / 4 || n >= 1 << 24) {
      return Math.max(1, Math.round((n * batchMs) / Math.max(ms, 1e-3)));
    }
    n *= 4;
  }
}

/**
 * Measures `loop` in nanoseconds per operation: each run repeats calibrated batches until it has
 * taken at least `targetMs`, so a wrong calibration cannot make a run too short to time.
 */
export async function measureOps(
  loop: Loop,
  options: RunOptions & { targetMs?: number } = {},
): Promise<Measurement & { readonly n: number }> {
  const targetMs = options.targetMs ?? 50;
  const batch = await calibrate(loop, targetMs / 10);
  let ops = 0;
  const m = await measure(async () => {
    let ms = 0;
    let n = 0;
    while (ms < targetMs) {
      ms += await loop(batch);
      n += batch;
    }
    ops = n;
    return (ms * 1e6) / n;
  }, options);
  return { ...m, n: ops };
}

/** Milliseconds taken by `body`. */
export async function timed(body: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await body();
  return performance.now() - start;
}

/** Formats a number with `digits` significant-ish decimals and thousands separators. */
export function formatNumber(value: number, digits = 1): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Prints rows as an aligned text table; numeric-looking cells are right-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, col) =>
    Math.max(h.length, ...rows.map((r) => (r[col] ?? '').length)),
  );
  const numeric = /^[\s\d.,x×%<>≤≥+-]*$/;
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, col) => {
        const width = widths[col] ?? 0;
        return numeric.test(cell) && col > 0 ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
