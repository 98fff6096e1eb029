import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What users get from the registry: each package packed by `pnpm pack` (which turns
// `workspace:^` into a `^x.y.z` range), the three tarballs installed together by plain
// `npm install` into a project outside the workspace, then used from there by package name.
// Checks the built dist/ that `pnpm test` makes first (a bare `vitest run` builds only when a
// dist/ is missing, so rebuild after changing src/).

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['core', 'streams', 'executor'] as const;
type Name = (typeof PACKAGES)[number];
const bin = (name: string): string => join(ROOT, 'node_modules', '.bin', name);
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// Generous: these spawn node, tsc, npm, publint and attw beside the rest of the suite, on 2 cores.
const SETUP_TIMEOUT = 180_000;
const SLOW = 120_000;

// `pnpm test` hands its scripts npm_config_* variables that npm would read as its own config.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
);

interface Output {
  status: number | null;
  stdout: string;
  stderr: string;
}

function spawn(command: string, args: string[], cwd: string): Output {
  const child = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (child.error) throw child.error;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Runs a command that must succeed, and returns its stdout. */
function exec(command: string, args: string[], cwd: string): string {
  const out = spawn(command, args, cwd);
  if (out.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${String(out.status)}\n${out.stdout}${out.stderr}`,
    );
  }
  return out.stdout;
}

const scratch = mkdtempSync(join(tmpdir(), 'corio-pack-'));
const tarballs = join(scratch, 'tarballs');
const tarball = {} as Record<Name, string>;
const entries = {} as Record<Name, string[]>;
const version = {} as Record<Name, string>;
const installed = (name: Name, ...path: string[]): string =>
  join(scratch, 'node_modules', '@corio', name, ...path);

beforeAll(() => {
  if (PACKAGES.some((name) => !existsSync(join(ROOT, 'packages', name, 'dist', 'index.js')))) {
    exec('pnpm', ['-r', '--filter', './packages/*', 'run', 'build'], ROOT);
  }
  mkdirSync(tarballs);
  for (const name of PACKAGES) {
    const dir = join(ROOT, 'packages', name);
    exec('pnpm', ['pack', '--pack-destination', tarballs], dir);
    version[name] = (
      JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
    ).version;
    tarball[name] = join(tarballs, `corio-${name}-${version[name]}.tgz`);
    entries[name] = exec('tar', ['-tzf', tarball[name]], scratch)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/^package\//, ''));
  }
  const dependencies = Object.fromEntries(
    PACKAGES.map((name) => [`@corio/${name}`, `file:${tarball[name]}`]),
  );
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'corio-pack-scratch', private: true, type: 'module', dependencies }),
  );
  // Offline: every dependency is one of the tarballs (the registry is never asked).
  exec(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    scratch,
  );
}, SETUP_TIMEOUT);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Manifest {
  version: string;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

const readManifest = (name: Name): Manifest =>
  JSON.parse(readFileSync(installed(name, 'package.json'), 'utf8')) as Manifest;

/** The `## Example` code block of a README, and the output its `//=>` comments promise. */
function readmeExample(readme: string): { code: string; expected: string[] } {
  const match = /^## Example\n\n```js\n([\s\S]*?)^```$/m.exec(readme);
  if (match === null) throw new Error('README has no "## Example" section with a ```js block');
  const code = match[1] as string;
  const expected = [...code.matchAll(/\/\/=> (.*)$/gm)].map((m) => m[1] as string);
  return { code, expected };
}

describe('the published packages', { timeout: SLOW }, () => {
  it.each(PACKAGES)('@corio/%s packs dist/, README.md and LICENSE only', (name) => {
    const files = entries[name];
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    if (name === 'executor') expect(files).toContain('dist/worker.js');
    if (name === 'core') {
      expect(files).toContain('dist/testing.js');
      expect(files).toContain('dist/testing.d.ts');
    }
    // No src/, no tests or test helpers, no source or declaration maps (see tsconfig.build.json).
    const unexpected = files.filter(
      (file) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts))$/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(files.filter((file) => /(^|\/)src\/|\.test(-d)?\.|test-helpers/.test(file))).toEqual([]);
  });

  it.each(PACKAGES)('@corio/%s has no source map reference to a file it lacks', (name) => {
    const files = new Set(entries[name]);
    const dangling: string[] = [];
    for (const file of files) {
      if (!/\.(js|d\.ts|map)$/.test(file)) continue;
      const text = readFileSync(installed(name, file), 'utf8');
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      if (url !== undefined && !url.startsWith('data:')) {
        const target = posix.join(posix.dirname(file), url);
        if (!files.has(target)) dangling.push(`${file} -> ${target}`);
      }
      if (file.endsWith('.map')) {
        const map = JSON.parse(text) as { sources: string[]; sourcesContent?: (string | null)[] };
        map.sources.forEach((source, i) => {
          const target = posix.join(posix.dirname(file), source);
          if (typeof map.sourcesContent?.[i] !== 'string' && !files.has(target)) {
            dangling.push(`${file} -> ${target}`);
          }
        });
      }
    }
    expect(dangling).toEqual([]);
  });

  it('the packed manifests carry the registry metadata, and workspace:^ became ^x.y.z', () => {
    for (const name of PACKAGES) {
      const manifest = readManifest(name);
      expect(manifest).toMatchObject({
        name: `@corio/${name}`,
        type: 'module',
        license: 'MIT',
        engines: { node: '>=22' },
        publishConfig: { access: 'public', provenance: true },
        repository: { type: 'git', directory: `packages/${name}` },
        sideEffects: name === 'core' ? ['./dist/internal/inspect-hook.js', './dist/cli.js'] : false,
        exports: {
          '.': { types: './dist/index.d.ts', default: './dist/index.js' },
          './package.json': './package.json',
        },
      });
      expect(Object.keys((manifest.exports as Record<string, object>)['.'] as object)).toEqual([
        'types',
        'default',
      ]);
    }
    // The testing entry point is a subpath of core only.
    expect(readManifest('core').exports).toMatchObject({
      './testing': { types: './dist/testing.d.ts', default: './dist/testing.js' },
    });
    for (const name of ['streams', 'executor'] as const) {
      expect(readManifest(name).dependencies).toEqual({ '@corio/core': `^${version.core}` });
    }
    // One copy of core, the tarball's, shared by streams and executor.
    expect(existsSync(installed('streams', 'node_modules'))).toBe(false);
    expect(existsSync(installed('executor', 'node_modules'))).toBe(false);
    expect(readManifest('core').version).toBe(version.core);
  });

  it('@corio/core has the corio bin, runnable from the installed tarball', () => {
    expect(readManifest('core').bin).toEqual({ corio: './dist/cli.js' });
    const cli = readFileSync(installed('core', 'dist', 'cli.js'), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const out = spawn(join(scratch, 'node_modules', '.bin', 'corio'), ['--help'], scratch);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^usage: corio ps <pid>/);
    const missing = spawn(join(scratch, 'node_modules', '.bin', 'corio'), ['ps'], scratch);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^corio: ps: a pid is required\n/);
  });

  it('the published declarations keep no @internal member', () => {
    const leftovers: string[] = [];
    for (const name of PACKAGES) {
      for (const file of entries[name].filter((f) => f.endsWith('.d.ts'))) {
        const text = readFileSync(installed(name, file), 'utf8');
        if (text.includes('@internal')) leftovers.push(`@corio/${name}/${file}`);
      }
    }
    expect(leftovers).toEqual([]);
    // Task's constructor is private, so that `new Task()` is refused (see the consumer below).
    expect(readFileSync(installed('core', 'dist', 'task.d.ts'), 'utf8')).toContain(
      'private constructor();',
    );
  });

  it.each(PACKAGES)('the README example of @corio/%s runs as written', (name) => {
    const { code, expected } = readmeExample(readFileSync(installed(name, 'README.md'), 'utf8'));
    expect(expected.length).toBeGreaterThan(0);
    writeFileSync(join(scratch, `readme-${name}.mjs`), code);
    const out = spawn(process.execPath, [`readme-${name}.mjs`], scratch);
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\n').slice(0, -1)).toEqual(expected);
    expect(out.status).toBe(0);
  });

  it('@corio/core/testing runs from the tarball, on the same clock as @corio/core', () => {
    writeFileSync(
      join(scratch, 'testing.mjs'),
      `import assert from 'node:assert/strict';
import { now, sleep } from '@corio/core';
import { withVirtualClock } from '@corio/core/testing';

const start = performance.now();
const end = await withVirtualClock(async () => {
  await sleep(3_600_000);
  return now();
}, { autojump: true });
assert.equal(end, 3_600_000);
assert.ok(performance.now() - start < 60_000);
console.log('ok');
`,
    );
    const out = spawn(process.execPath, ['testing.mjs'], scratch);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('ok\n');
    expect(out.status).toBe(0);
  });

  it('a workerFunction whose module is in node_modules runs through @corio/executor', () => {
    // A tiny package installed beside corio, which itself imports @corio/core in the worker.
    const jobs = join(scratch, 'node_modules', 'corio-pack-jobs');
    mkdirSync(jobs);
    writeFileSync(
      join(jobs, 'package.json'),
      JSON.stringify({
        name: 'corio-pack-jobs',
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
      }),
    );
    writeFileSync(
      join(jobs, 'index.js'),
      `import { sleep } from '@corio/core';
export async function square(x) {
  await sleep(1);
  return x * x;
}
`,
    );
    writeFileSync(
      join(scratch, 'worker-function.mjs'),
      `import assert from 'node:assert/strict';
import { run } from '@corio/core';
import { WorkerPoolExecutor, runInExecutor, workerFunction } from '@corio/executor';

const url = import.meta.resolve('corio-pack-jobs');
assert.match(url, /\\/node_modules\\/corio-pack-jobs\\/index\\.js$/);
const square = workerFunction(url, 'square');
const pool = new WorkerPoolExecutor({ maxWorkers: 2 });
try {
  assert.deepEqual(await Promise.all([2, 3, 4].map((n) => pool.submit(square, n))), [4, 9, 16]);
} finally {
  await pool.shutdown();
}
// The default pool, which run() shuts down when main returns.
assert.equal(await run(() => runInExecutor(null, square, 5)), 25);
console.log('ok');
`,
    );
    const out = spawn(process.execPath, ['worker-function.mjs'], scratch);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('ok\n');
    expect(out.status).toBe(0);
  });

  it('a TypeScript consumer type-checks under moduleResolution node16 and bundler', () => {
    writeFileSync(
      join(scratch, 'consumer.ts'),
      `import { Task, TimeoutError, createTask, gather, sleep, waitFor } from '@corio/core';
import type { Awaitable, Future, SignalOptions } from '@corio/core';
import { Server, startServer } from '@corio/streams';
import type { StreamReader, StreamWriter } from '@corio/streams';
import { WorkerPoolExecutor, workerFunction } from '@corio/executor';
import type { WorkerFunction } from '@corio/executor';
import { DeadlockError, VirtualClock, withVirtualClock } from '@corio/core/testing';
import type { VirtualClockOptions } from '@corio/core/testing';

const task: Task<number> = createTask(() => sleep(1, 42), { name: 'answer' });
const pair: [number, string] = await gather([task, () => 'b']);
const work: Awaitable<number> = () => 1;
const late: Promise<number> = waitFor(work, 10);
const future: Future<number> = task;
const options: SignalOptions = { signal: AbortSignal.timeout(10) };
const error: TimeoutError | undefined = undefined;

// Tasks come from createTask(): Task's constructor is private, whatever the arguments (without
// it, Task would inherit Future's public constructor).
// @ts-expect-error -- private constructor
const made = new Task();
// @ts-expect-error -- private constructor
const named = new Task(() => 1, 'made', createTask);
// @ts-expect-error -- servers come from startServer()
const built = new Server();

const server: Server = await startServer(
  async (reader: StreamReader, writer: StreamWriter) => {
    const line: Buffer = await reader.readLine(options);
    writer.write(line);
    await writer.drain();
  },
  '127.0.0.1',
  0,
);

const square: WorkerFunction<(x: number) => number> = workerFunction<(x: number) => number>(
  new URL('./jobs.js', import.meta.url),
  'square',
);
const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
const squared: number = await pool.submit(square, 3);
// @ts-expect-error -- the arguments are checked against the worker function's parameters
await pool.submit(square, 'three');
// @ts-expect-error -- a worker function of one signature is not one of another
const other: WorkerFunction<(x: string) => string> = square;

const clockOptions: VirtualClockOptions = { autojump: true, autojumpThreshold: 0 };
const ticked: number = await withVirtualClock(async (clock: VirtualClock) => {
  await clock.advance(10);
  return clock.now();
}, clockOptions);
const deadlock: DeadlockError | undefined = undefined;
// @ts-expect-error -- clocks come from withVirtualClock()
const clock = new VirtualClock();

export {
  built,
  clock,
  deadlock,
  error,
  future,
  late,
  made,
  named,
  other,
  pair,
  server,
  squared,
  ticked,
};
`,
    );
    const common = {
      strict: true,
      target: 'ES2022',
      lib: ['ES2023', 'ESNext.Disposable'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      noEmit: true,
      skipLibCheck: false,
    };
    const configs = {
      node16: { module: 'node16', moduleResolution: 'node16' },
      bundler: { module: 'esnext', moduleResolution: 'bundler' },
    };
    for (const [resolution, options] of Object.entries(configs)) {
      const config = join(scratch, `tsconfig.${resolution}.json`);
      writeFileSync(
        config,
        JSON.stringify({ compilerOptions: { ...common, ...options }, files: ['consumer.ts'] }),
      );
      const out = spawn(process.execPath, [TSC, '-p', config], scratch);
      expect({ resolution, output: out.stdout + out.stderr }).toEqual({ resolution, output: '' });
      expect(out.status).toBe(0);
    }
  });

  it('publint --strict and attw --profile esm-only find nothing in any tarball', async () => {
    const run = promisify(execFile);
    const check = async (command: string, args: string[]): Promise<string> => {
      try {
        const { stdout } = await run(command, args, { cwd: scratch, env });
        return stdout;
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        return `FAILED: ${command} ${args.join(' ')}\n${stdout ?? ''}${stderr ?? ''}`;
      }
    };
    const reports = await Promise.all(
      PACKAGES.flatMap((name) => [
        check(bin('publint'), ['run', tarball[name], '--strict']),
        check(bin('attw'), [
          tarball[name],
          '--profile',
          'esm-only',
          '--no-definitely-typed',
          '--format',
          'ascii',
          '--no-color',
        ]),
      ]),
    );
    // Both exit non-zero on a problem (attw: outside the profile's ignored resolutions).
    for (const report of reports) expect(report).not.toMatch(/^FAILED/);
    // publint also prints suggestions, which --strict lets pass: "All good!" means there were none.
    for (const [i, name] of PACKAGES.entries()) {
      expect(reports[2 * i], `publint @corio/${name}`).toContain('All good!');
    }
  });
});
