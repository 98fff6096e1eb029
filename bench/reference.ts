// Cases 5 and 8: CPython asyncio on the workloads of cases 2, 6 and 7, in a python3 process of its
// own. Those figures cannot share a round with corio's: their ratio (CPython's median ÷ corio's,
// how many times corio's rate is CPython's) is of medians measured apart, and marked unpaired.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { formatNumber, summarise } from './harness.js';
import { SPAWN_TASKS } from './spawn.js';
import type { Result, Target } from './suite.js';
import { LIMIT_CONCURRENCY, LIMIT_JOBS, QUEUE_ITEMS, QUEUE_MAXSIZES } from './sync.js';

const execFileAsync = promisify(execFile);

/** A reference row before its ratio to the corio row `vs` is known. */
export interface Reference extends Omit<Result, 'target'> {
  readonly vs: string;
  readonly target: Target;
}

export const REFERENCE_TITLES = {
  asyncio: `5. CPython asyncio reference (spawn + join ${formatNumber(SPAWN_TASKS, 0)})`,
  'asyncio-sync': '8. CPython asyncio reference (cases 6 and 7)',
} as const;

const atLeast = (times: number): Target => ({
  text: `≥ ${String(times)}x`,
  pass: (_figure, ratio) => ratio !== undefined && ratio >= times,
});

async function python(script: string, args: readonly string[]): Promise<unknown> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  try {
    const { stdout } = await execFileAsync('python3', [path, ...args], { timeout: 240_000 });
    return JSON.parse(stdout) as unknown;
  } catch (error) {
    console.error(`${script}: skipped (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

/** Case 5: compared with corio's spawn + join inside run(). */
export async function measureAsyncio(): Promise<Reference[]> {
  const output = (await python('asyncio_spawn.py', [String(SPAWN_TASKS), '5', '1'])) as
    { python: string; runs_ms: number[] } | undefined;
  if (output === undefined) return [];
  return [
    {
      ...summarise(output.runs_ms),
      id: 'asyncio.gather',
      caseId: 'asyncio',
      label: `CPython ${output.python} create_task each + gather`,
      unit: 'ms',
      vs: 'spawn.gather-in-run',
      paired: false,
      target: atLeast(10),
    },
  ];
}

/** Case 8: compared with corio's limiter (joined by gather) and Queue. */
export async function measureAsyncioSync(): Promise<Reference[]> {
  const args = [String(LIMIT_JOBS), String(QUEUE_ITEMS), '5', '1'];
  const output = (await python('asyncio_sync.py', args)) as
    { python: string; workloads: Record<string, { runs_ms: number[] } | undefined> } | undefined;
  if (output === undefined) return [];
  const rows: [workload: string, label: string, vs: string][] = [
    [
      'semaphore',
      `Semaphore(${String(LIMIT_CONCURRENCY)}) per task + gather`,
      'limit.corio-gather',
    ],
    ...QUEUE_MAXSIZES.map((maxsize): [string, string, string] => [
      `queue-${String(maxsize)}`,
      `Queue(${String(maxsize)}) producer → consumer`,
      `queue.corio-${String(maxsize)}`,
    ]),
  ];
  return rows.flatMap(([workload, label, vs]): Reference[] => {
    const runs = output.workloads[workload]?.runs_ms;
    if (runs === undefined) return [];
    return [
      {
        ...summarise(runs),
        id: `asyncio-sync.${workload}`,
        caseId: 'asyncio-sync',
        label: `CPython ${output.python} ${label}`,
        unit: 'ms',
        vs,
        paired: false,
        target: atLeast(5),
      },
    ];
  });
}
