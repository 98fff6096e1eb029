// Two builds of @corio/core, side by side in one process: `pnpm bench:compare <distA> <distB>`.
// Each round runs every case once per build, in alternating order, inside each build's own
// run(); the ratio B/A is taken round by round (min, median, max), so a change of machine speed
// during the run moves both. Use it for "before and after" figures: build the old commit's
// packages/core into one folder (git worktree + pnpm build) and compare with packages/core/dist.
// For fresh-process pairs, time `bench/compare-builds.ts <dist> <dist> --only <case>` runs from
// the shell with a tool that pairs whole commands (hyperfine, or /usr/bin/time in a loop).

import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './harness.js';

import type * as Corio from '@corio/core';

type Core = typeof Corio;

const TASKS = 100_000;
const ROUNDS = 14;
const WARMUP = 2;

/** ns per operation of one sample of each case. */
const cases: Record<string, (core: Core) => Promise<number>> = {
  // spawn + join: createTask a tiny async function 100k times, then gather them.
  spawn: async (core) => {
    const work = async (): Promise<number> => {
      await Promise.resolve();
      return 1;
    };
    const start = performance.now();
    const tasks = [];
    for (let i = 0; i < TASKS; i++) tasks.push(core.createTask(work));
    await core.gather(tasks);
    return ((performance.now() - start) / TASKS) * 1e6;
  },
  // 100k calls through limiter(100), joined with Promise.all (p-limit's usual use).
  limiter: async (core) => {
    const job = async (): Promise<number> => {
      await Promise.resolve();
      return 1;
    };
    const limit = core.limiter(100);
    const start = performance.now();
    const calls: PromiseLike<number>[] = [];
    for (let i = 0; i < TASKS; i++) calls.push(limit(job));
    await Promise.all(calls);
    return ((performance.now() - start) / TASKS) * 1e6;
  },
  // 100k calls through Semaphore(100).use, joined with Promise.all (contended: most calls wait).
  semaphore: async (core) => {
    const job = async (): Promise<number> => {
      await Promise.resolve();
      return 1;
    };
    const sem = new core.Semaphore(100);
    const start = performance.now();
    const calls: Promise<number>[] = [];
    for (let i = 0; i < TASKS; i++) calls.push(sem.use(job));
    await Promise.all(calls);
    return ((performance.now() - start) / TASKS) * 1e6;
  },
  // A 10 s timeout() that never fires, around a body that returns after one microtask.
  timeout: async (core) => {
    const body = async (): Promise<number> => {
      await Promise.resolve();
      return 1;
    };
    const start = performance.now();
    for (let i = 0; i < TASKS; i++) await core.timeout(10_000, body);
    return ((performance.now() - start) / TASKS) * 1e6;
  },
};

const [distA, distB, ...rest] = process.argv.slice(2);
if (distA === undefined || distB === undefined) {
  console.error('usage: compare-builds.ts <distA> <distB> [--only <case>]');
  process.exit(2);
}
const only = rest[0] === '--only' ? rest[1] : undefined;
const load = async (dist: string): Promise<Core> =>
  (await import(pathToFileURL(resolve(dist, 'index.js')).href)) as Core;
const builds = { A: await load(distA), B: await load(distB) };

console.log(`A: ${distA}\nB: ${distB}\nnode ${process.version}, load ${loadavg().join(' ')}`);
for (const [name, sample] of Object.entries(cases)) {
  if (only !== undefined && name !== only) continue;
  const figures = { A: [] as number[], B: [] as number[] };
  const ratios: number[] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const order = round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
    const got = { A: 0, B: 0 };
    for (const side of order) {
      const core = builds[side];
      got[side] = await core.run(() => sample(core));
    }
    if (round < WARMUP) continue;
    figures.A.push(got.A);
    figures.B.push(got.B);
    ratios.push(got.B / got.A);
  }
  console.log(
    `${name}: A ${median(figures.A).toFixed(0)} ns/op, B ${median(figures.B).toFixed(0)} ns/op, ` +
      `B/A median ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, ` +
      `max ${Math.max(...ratios).toFixed(3)}, ${String(ROUNDS)} rounds)`,
  );
}
