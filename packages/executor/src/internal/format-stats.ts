import type { DurationStats, ExecutorStats } from '../executor-stats.js';

/** The figures with their printed form (see ExecutorStats.toString). */
export function withToString(stats: Omit<ExecutorStats, 'toString'>): ExecutorStats {
  return { ...stats, toString: () => formatStats(stats) };
}

function formatStats(s: Omit<ExecutorStats, 'toString'>): string {
  const lines = [
    `<ExecutorStats queued=${String(s.queued)} running=${String(s.running)} ` +
      `completed=${String(s.completed)} failed=${String(s.failed)} ` +
      `cancelled=${String(s.cancelled)} workersStarted=${String(s.workersStarted)}>`,
    `  run time  ${formatDurations(s.runTime)}`,
    `  wait time ${formatDurations(s.waitTime)}`,
  ];
  for (const w of s.workers) {
    lines.push(
      `  worker ${String(w.threadId)} ${w.state} completed=${String(w.completed)} ` +
        `utilization=${(100 * w.utilization).toFixed(0)}%`,
    );
  }
  return lines.join('\n');
}

function formatDurations(d: DurationStats): string {
  if (d.count === 0) return 'none yet';
  return (
    `p50=${ms(d.p50)} p90=${ms(d.p90)} p99=${ms(d.p99)} max=${ms(d.max)} ` +
    `mean=${ms(d.mean)} (${String(d.count)} jobs)`
  );
}

/** 0.0123 -> "12.3µs", 4.56 -> "4.56ms", 1234 -> "1.23s": three significant digits. */
function ms(value: number): string {
  if (value < 1) return `${(value * 1000).toPrecision(3)}µs`;
  if (value < 1000) return `${value.toPrecision(3)}ms`;
  return `${(value / 1000).toPrecision(3)}s`;
}
