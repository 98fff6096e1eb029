import type { DurationStats } from '../executor-stats.js';

/** Sub-buckets per power of two: a value is placed within 1/16 (6.25 %) of itself. */
const SUB = 16;
/** The smallest duration told apart, in ms (1 µs); shorter ones count as this. */
const UNIT_MS = 0.001;
/** Powers of two above UNIT_MS: 1 µs to about 2^40 µs (12 days). */
const OCTAVES = 40;

/**
 * Durations in ms, counted in log-spaced buckets (as HdrHistogram does, at a coarser precision):
 * fixed memory however many are recorded, percentiles within 6.25 % of the true value, and
 * recording is a few arithmetic operations. Exact: count, mean, min and max.
 */
export class Histogram {
  readonly #counts = new Float64Array(OCTAVES * SUB);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;

  record(ms: number): void {
    if (!(ms >= 0)) return; // NaN or negative: a clock step, not a duration.
    this.#count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
    const bucket = bucketOf(ms);
    this.#counts[bucket] = (this.#counts[bucket] as number) + 1;
  }

  /** The duration below which `p` (0 to 1) of the recorded ones fall, or 0 if none were. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    if (p >= 1) return this.#max;
    const rank = Math.max(1, Math.ceil(p * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i] as number;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, upperBound(i)));
    }
    return this.#max;
  }

  summary(): DurationStats {
    const count = this.#count;
    return {
      count,
      mean: count === 0 ? 0 : this.#sum / count,
      min: count === 0 ? 0 : this.#min,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
      max: this.#max,
    };
  }
}

/** The bucket of `ms`: its octave above UNIT_MS, then its sixteenth within the octave. */
function bucketOf(ms: number): number {
  const units = ms / UNIT_MS;
  if (units < 1) return 0;
  const octave = Math.min(OCTAVES - 1, Math.floor(Math.log2(units)));
  const base = 2 ** octave;
  const sub = Math.min(SUB - 1, Math.floor(((units - base) / base) * SUB));
  return octave * SUB + sub;
}

/** The largest duration bucket `index` holds, in ms. */
function upperBound(index: number): number {
  const octave = Math.floor(index / SUB);
  const sub = index % SUB;
  return 2 ** octave * (1 + (sub + 1) / SUB) * UNIT_MS;
}
