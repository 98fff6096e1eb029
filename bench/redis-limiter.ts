// `pnpm bench:redis-limiter`: corio's RedisSemaphore against redis-semaphore (npm, the library a
// user would otherwise pick) on a throwaway redis-server of 127.0.0.1, in paired rounds (each
// implementation once per round, order rotated, ratios per round), with the load average at the
// start and the end; written to bench/results/redis-limiter-<node major>.json.
//   uncontended: one caller, acquire + release, one after another (latency of a pair)
//   contended:   16 callers through a limit of 4, 2,000 acquire/work/release in all (pairs/s)
import { loadavg } from 'node:os';
import { RedisSemaphore } from '@corio/redis';
import { Redis } from 'ioredis';
import { Semaphore as PeerSemaphore } from 'redis-semaphore';
import { startRedis } from '../docs/test/recipes-helpers.js';
import { corioSource, machine, writeResults } from './provenance.js';
import { measured, roundRatios, runRounds, spread } from './rounds.js';
import type { Impl } from './rounds.js';

const PAIRS = 500;
const CONTENDED = 2_000;
const CALLERS = 16;
const LIMIT = 4;

const server = await startRedis();
const url = `redis://127.0.0.1:${String(server.port)}`;
const client = new Redis(url);
let run = 0;

/** µs per acquire + release pair, one caller. */
async function uncontendedCorio(): Promise<number> {
  await using sem = new RedisSemaphore({ connection: client, name: `u${String(++run)}`, limit: 1 });
  await sem.acquire(); // connects the subscriber outside the timing
  sem.release();
  const start = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    await sem.acquire();
    sem.release();
  }
  return ((performance.now() - start) * 1000) / PAIRS;
}

async function uncontendedPeer(): Promise<number> {
  const key = `u${String(++run)}`;
  const start = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    const sem = new PeerSemaphore(client, key, 1, { retryInterval: 1, acquireTimeout: 60_000 });
    await sem.acquire();
    await sem.release();
  }
  return ((performance.now() - start) * 1000) / PAIRS;
}

/** Pairs per second with CALLERS callers through LIMIT permits, each holding for one tick. */
async function contendedCorio(): Promise<number> {
  await using sem = new RedisSemaphore({
    connection: client,
    name: `c${String(++run)}`,
    limit: LIMIT,
  });
  await sem.acquire();
  sem.release();
  let left = CONTENDED;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (left-- > 0) {
        await sem.acquire();
        await new Promise((resolve) => setImmediate(resolve));
        sem.release();
      }
    }),
  );
  return (CONTENDED * 1000) / (performance.now() - start);
}

async function contendedPeer(): Promise<number> {
  const key = `c${String(++run)}`;
  let left = CONTENDED;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (left-- > 0) {
        const sem = new PeerSemaphore(client, key, LIMIT, {
          retryInterval: 1,
          acquireTimeout: 60_000,
        });
        await sem.acquire();
        await new Promise((resolve) => setImmediate(resolve));
        await sem.release();
      }
    }),
  );
  return (CONTENDED * 1000) / (performance.now() - start);
}

const cases: { id: string; title: string; unit: string; higher: boolean; impls: Impl[] }[] = [
  {
    id: 'uncontended',
    title: 'uncontended: one caller, acquire + release, one after another',
    unit: 'µs per acquire+release',
    higher: false,
    impls: [
      { id: 'corio', label: 'RedisSemaphore', sample: uncontendedCorio },
      { id: 'peer', label: 'redis-semaphore 5.8 (retryInterval 1 ms)', sample: uncontendedPeer },
    ],
  },
  {
    id: 'contended',
    title: `contended: ${String(CALLERS)} callers through a limit of ${String(LIMIT)}, ${CONTENDED.toLocaleString('en-US')} pairs in all`,
    // Ends in '/s': the benchmarks page reads that as higher is better.
    unit: 'pairs/s',
    higher: true,
    impls: [
      { id: 'corio', label: 'RedisSemaphore', sample: contendedCorio },
      { id: 'peer', label: 'redis-semaphore 5.8 (retryInterval 1 ms)', sample: contendedPeer },
    ],
  },
];

const loadStart = loadavg();
const started = performance.now();
const results = [];
try {
  for (const c of cases) {
    const figures = await runRounds(c.impls, { warmup: 1, rounds: 7 });
    const corio = measured(figures.get('corio') ?? []);
    const peer = measured(figures.get('peer') ?? []);
    // corio ÷ the peer round by round, in the unit's own direction (µs: lower is better).
    const ratios = roundRatios(corio, peer);
    const ratio = spread(ratios);
    results.push(
      {
        // The library's name in the id: the benchmarks page colours its row as a library's.
        id: `redis-limiter.${c.id}.redis-semaphore`,
        caseId: c.id,
        label: c.impls[1]?.label ?? 'peer',
        unit: c.unit,
        ...spread(peer),
        runs: peer,
      },
      {
        id: `redis-limiter.${c.id}.corio`,
        caseId: c.id,
        label: c.impls[0]?.label ?? 'corio',
        unit: c.unit,
        ...spread(corio),
        runs: corio,
        vs: `redis-limiter.${c.id}.redis-semaphore`,
        ratio: ratio.median,
        ratioMin: ratio.min,
        ratioMax: ratio.max,
        paired: true,
      },
    );
    const f = (n: number) => n.toFixed(n < 10 ? 2 : 0);
    const a = spread(corio);
    const b = spread(peer);
    console.log(
      `${c.id} (${c.unit}): corio ${f(a.median)} (${f(a.min)}-${f(a.max)}), ` +
        `redis-semaphore ${f(b.median)} (${f(b.min)}-${f(b.max)}); ` +
        `corio / redis-semaphore per round ${ratio.min.toFixed(2)}/${ratio.median.toFixed(2)}/${ratio.max.toFixed(2)}` +
        (c.higher ? ' (higher is better)' : ' (lower is better)'),
    );
  }
} finally {
  await client.quit();
  await server.stop();
}
const loadEnd = loadavg();
const load = (l: readonly number[]): string => l.map((n) => n.toFixed(2)).join(' ');
console.log(`load ${load(loadStart)} -> ${load(loadEnd)}`);
const file = await writeResults('redis-limiter-', {
  machine: machine(),
  load: { start: loadStart, end: loadEnd },
  corio: await corioSource(['redis']),
  seconds: (performance.now() - started) / 1000,
  cases: cases.map(({ id, title, unit }) => ({
    id,
    title,
    unit,
    baseline: `redis-limiter.${id}.redis-semaphore`,
    plot: 'value',
  })),
  results,
});
console.log(`wrote ${file}`);
