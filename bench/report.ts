// From a case's round-by-round figures to the rows of the results file, and the table printed for
// them. Every ratio is the median of the per-round ratios, with the smallest and the largest.

import { formatNumber, printTable } from './harness.js';
import type { Reference } from './reference.js';
import { measured, roundRatios, runRounds, spread } from './rounds.js';
import type { RoundFigures } from './rounds.js';
import type { Case, CaseInfo, Result, Row, Unit } from './suite.js';

/** Turns a case's figures into results: each row's figure, its ratios, its target. */
export function caseResults(
  c: CaseInfo & { readonly rows: readonly Omit<Row, 'sample'>[] },
  figures: RoundFigures,
): Result[] {
  const of = (id: string): readonly (number | undefined)[] => figures.get(id) ?? [];
  return c.rows.map((row): Result => {
    const runs = measured(of(row.id));
    const figure = spread(runs);
    const base = row.id === c.baseline ? undefined : roundRatios(of(row.id), of(c.baseline));
    const second = row.vs2 === undefined ? undefined : roundRatios(of(row.id), of(row.vs2));
    const targetVs =
      row.target === undefined || row.target.onFigure === true
        ? undefined
        : (row.target.vs ?? c.baseline);
    const targetRatios = targetVs === undefined ? undefined : roundRatios(of(row.id), of(targetVs));
    const targetRatio = targetRatios === undefined ? undefined : spread(targetRatios).median;
    const ratio = base === undefined ? undefined : spread(base);
    const ratio2 = second === undefined ? undefined : spread(second);
    return {
      id: row.id,
      caseId: c.id,
      label: row.label,
      unit: c.unit,
      ...figure,
      runs,
      ...(ratio === undefined
        ? {}
        : {
            vs: c.baseline,
            ratio: ratio.median,
            ratioMin: ratio.min,
            ratioMax: ratio.max,
            ratios: base,
          }),
      ...(ratio2 === undefined || row.vs2 === undefined
        ? {}
        : { vs2: row.vs2, ratio2: ratio2.median, ratio2Min: ratio2.min, ratio2Max: ratio2.max }),
      ...(row.target === undefined
        ? {}
        : {
            target: row.target.text,
            ...(targetVs === undefined ? {} : { targetVs }),
            pass: row.target.pass(figure.median, targetRatio),
          }),
    };
  });
}

/** Measures a case in paired rounds, with progress on stderr. */
export async function measureCase(c: Case): Promise<Result[]> {
  const start = performance.now();
  process.stderr.write(`  ${c.id.padEnd(12)} `);
  const figures = await runRounds(c.rows, {
    ...c.rounds,
    onRound: () => process.stderr.write('.'),
  });
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  process.stderr.write(` ${seconds} s\n`);
  return caseResults(c, figures);
}

/** A reference (CPython) row's ratio of medians to the corio row it names, and its target. */
export function referenceResult(ref: Reference, results: readonly Result[]): Result {
  const corio = results.find((r) => r.id === ref.vs);
  const ratio = corio === undefined ? undefined : ref.median / corio.median;
  const { target, ...rest } = ref;
  return {
    ...rest,
    ...(ratio === undefined ? {} : { ratio }),
    target: target.text,
    targetVs: ref.vs,
    pass: target.pass(ref.median, ratio),
  };
}

function formatFigure(value: number, unit: Unit): string {
  return unit === 'ms' ? formatNumber(value, 1) : formatNumber(value, 0);
}

function formatRatio(median?: number, min?: number, max?: number): string {
  if (median === undefined) return '';
  const range =
    min === undefined || max === undefined ? '' : ` ${min.toFixed(2)}–${max.toFixed(2)}`;
  return `${median.toFixed(2)}x${range}`;
}

/** Prints one case: figure, ratio to the baseline (median min–max), second ratio, target. */
export function printCase(title: string, rows: readonly Result[]): void {
  if (rows.length === 0) return;
  console.log(`\n${title}`);
  const second = rows.some((r) => r.vs2 !== undefined);
  const header = ['variant', 'median', 'min–max', 'unit', 'ratio  min–max', 'vs'];
  printTable(
    [...header, ...(second ? ['ratio 2  min–max', 'vs 2'] : []), 'target'],
    rows.map((r) => [
      `  ${r.label}`,
      formatFigure(r.median, r.unit),
      `${formatFigure(r.min, r.unit)}–${formatFigure(r.max, r.unit)}`,
      r.unit,
      formatRatio(r.ratio, r.ratioMin, r.ratioMax),
      r.vs ?? '',
      ...(second ? [formatRatio(r.ratio2, r.ratio2Min, r.ratio2Max), r.vs2 ?? ''] : []),
      r.target === undefined ? '' : `${r.target} ${r.pass === true ? 'PASS' : 'FAIL'}`,
    ]),
  );
}
