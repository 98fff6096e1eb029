// Draws one benchmark chart with Observable Plot when the site is built: Plot renders into a
// linkedom document, and the page shows the markup (no chart code runs in the browser). It knows
// nothing of result files: benchmarks.data.ts turns them into the points below.
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** One measured figure: a variant on one Node version. */
export interface DotRangePoint {
  /** The variant, shown above its rows: `createTask each + gather(tasks) · top level`. */
  readonly group: string;
  /** The row within the variant: `Node 24`. */
  readonly series: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** What the colour stands for, as the legend says it: `corio`, `p-limit, p-queue`. */
  readonly colorKey: string;
  /** The median as the chart prints it. */
  readonly valueText: string;
  /** The fastest and the slowest run, as the chart's tooltip prints them: `1,509–2,901`. */
  readonly rangeText: string;
}

export interface DotRangeOptions {
  /** The width the chart is drawn for, in CSS pixels; it scales down with its column. */
  readonly width: number;
  /** The x axis' label, such as `ms per run, lower is better`. */
  readonly label: string;
  /** A log scale (for figures that span more than a decade) or a linear one from zero. */
  readonly log: boolean;
  /** The legend's entries in order, and their colours. */
  readonly colors: { readonly domain: readonly string[]; readonly range: readonly string[] };
  /** The `aria-label` of the chart: what a screen reader says instead of drawing it. */
  readonly ariaLabel: string;
  /** A value marked by a vertical line (1 on a chart of ratios: as fast as the baseline). */
  readonly reference?: number;
}

const FONT_SIZE = 12;
/** The height of one row (a variant's label, or one of its Node versions). */
const ROW = 17;

/** `1500` → `1.5k`, `2000000` → `2M`: tick labels short enough for a phone. */
export function shortNumber(value: number): string {
  const [scaled, suffix] =
    Math.abs(value) >= 1e6
      ? [value / 1e6, 'M']
      : Math.abs(value) >= 1e3
        ? [value / 1e3, 'k']
        : [value, ''];
  return `${String(Number(scaled.toPrecision(3)))}${suffix}`;
}

/** Shortens the coordinates Plot writes (`transform="translate(202.55619765854973,70)"`). */
function roundCoordinates(markup: string): string {
  return markup.replace(
    /\b(transform|d|x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"/g,
    (_, name: string, value: string) => `${name}="${value.replace(/(\d\.\d)\d+/g, '$1')}"`,
  );
}

/**
 * Log-scale ticks inside [low, high] at the powers of ten times `steps`: `[1, 2, 5]` gives
 * 100, 200, 500, 1k…
 */
export function logTicks(low: number, high: number, steps: readonly number[]): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(low)); power <= Math.ceil(Math.log10(high)); power++) {
    for (const step of steps) {
      const tick = step * 10 ** power;
      if (tick >= low && tick <= high) ticks.push(Number(tick.toPrecision(1)));
    }
  }
  return ticks;
}

/**
 * A dot-and-range chart as HTML: for each variant its label, then one row per series (Node
 * version) with a dot at the median and a line from the fastest to the slowest run, the median
 * printed at the right; a colour legend above. Returns a `<figure>` holding the legend and the SVG.
 */
export function dotRangeChart(points: readonly DotRangePoint[], options: DotRangeOptions): string {
  const narrow = options.width < 480;
  const groups = [...new Set(points.map((p) => p.group))];
  const series = [...new Set(points.map((p) => p.series))];
  // One band per variant label and per (variant, series): rows, top to bottom.
  const labelKey = (group: string): string => String(groups.indexOf(group));
  const rowKey = (p: DotRangePoint): string => `${labelKey(p.group)}|${p.series}`;
  const keys = groups.flatMap((g) => [labelKey(g), ...series.map((s) => `${labelKey(g)}|${s}`)]);

  const reference = options.reference === undefined ? [] : [options.reference];
  const low = Math.min(...points.map((p) => Math.min(p.min, p.median)), ...reference) / 1.15;
  const high = Math.max(...points.map((p) => Math.max(p.max, p.median)), ...reference) * 1.15;
  // A log scale is drawn as a linear one of log10(value): Plot's own log scale hides the labels of
  // some of the ticks it is given.
  const at = options.log ? Math.log10 : (value: number): number => value;
  const marginLeft = narrow ? 58 : 60;
  const marginRight = narrow ? 58 : 76;
  const marginTop = 4;
  const marginBottom = 40;
  // The repository compiles without the DOM's types: Plot and linkedom meet through `never`, and
  // the figure is read as the one property used.
  const { document } = parseHTML('<!doctype html><html><body></body></html>') as unknown as {
    document: never;
  };
  const figure = (Plot.plot as (options: Plot.PlotOptions) => unknown)({
    document,
    width: options.width,
    height: marginTop + keys.length * ROW + 6 + marginBottom,
    marginLeft,
    marginRight,
    marginTop,
    marginBottom,
    className: 'bench-plot',
    ariaLabel: options.ariaLabel,
    style: { fontSize: `${String(FONT_SIZE)}px`, fontFamily: 'var(--vp-font-family-base)' },
    x: {
      domain: options.log ? [at(low), at(high)] : [0, high],
      nice: !options.log,
      grid: true,
      label: options.label,
      labelAnchor: 'left',
      labelArrow: 'none',
      // On a phone, 1-2-5 ticks crowd each other past two decades.
      ticks: options.log
        ? logTicks(low, high, narrow && high / low > 100 ? [1, 3] : [1, 2, 5]).map(at)
        : narrow
          ? 4
          : 7,
      tickFormat: (tick: number) =>
        shortNumber(options.log ? Number((10 ** tick).toPrecision(3)) : tick),
    },
    // The inset keeps the last row clear of the x axis' ticks.
    y: { domain: keys, axis: null, padding: 0, insetBottom: 6 },
    color: {
      domain: options.colors.domain,
      range: options.colors.range,
      legend: true,
    },
    marks: [
      ...(options.reference === undefined
        ? []
        : [Plot.ruleX([at(options.reference)], { stroke: 'currentColor', strokeOpacity: 0.5 })]),
      // The variant's label, from the left edge of the chart.
      Plot.text(groups, {
        y: labelKey,
        text: (g: string) => g,
        frameAnchor: 'left',
        textAnchor: 'start',
        dx: -marginLeft,
        fontWeight: 600,
        lineWidth: (options.width - 4) / FONT_SIZE,
        textOverflow: 'ellipsis-end',
      }),
      // The series (Node version) of each row.
      Plot.text(points, {
        y: rowKey,
        text: 'series',
        frameAnchor: 'left',
        textAnchor: 'end',
        dx: -8,
        fillOpacity: 0.75,
      }),
      Plot.ruleY(points, {
        y: rowKey,
        x1: (p: DotRangePoint) => at(p.min),
        x2: (p: DotRangePoint) => at(p.max),
        stroke: 'colorKey',
        strokeWidth: 2,
        strokeOpacity: 0.55,
      }),
      Plot.dot(points, {
        y: rowKey,
        x: (p: DotRangePoint) => at(p.median),
        fill: 'colorKey',
        r: 4.5,
        className: 'bench-median',
        title: (p: DotRangePoint) =>
          `${p.group} — ${p.series}: median ${p.valueText}, runs ${p.rangeText}`,
      }),
      // The median, printed in the right margin.
      Plot.text(points, {
        y: rowKey,
        text: 'valueText',
        frameAnchor: 'right',
        textAnchor: 'end',
        dx: marginRight,
        fontVariant: 'tabular-nums',
      }),
    ],
  });
  return roundCoordinates((figure as { outerHTML: string }).outerHTML);
}
