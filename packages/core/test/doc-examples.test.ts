// Runs every `@example` code block of the packages' TSDoc (and the README's) as a program, so the docs stay true:
// each block becomes a temporary .mts file importing the packages from their sources, run by
// `node --import tsx` in a child process, and must exit with status 0.
// Their lines must also fit the API reference's page column: 72 columns at most.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisServer } from '../../../docs/test/recipes-helpers.js';
import { startRedis } from '../../../docs/test/recipes-helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const packagesDir = join(repoRoot, 'packages');
const EXAMPLE_TIMEOUT_MS = 20_000;
/**
 * The API reference shows the examples in the site's page column, where the guide's examples and
 * the recipes are printed at 72 columns (docs/.prettierrc.json): no example line is wider.
 */
const EXAMPLE_COLUMNS = 72;

interface Example {
  /** `core/src/task.ts createTask`, unique. */
  title: string;
  file: string;
  code: string;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  for (const pkg of readdirSync(packagesDir, { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    const src = join(packagesDir, pkg.name, 'src');
    let entries: string[];
    try {
      entries = readdirSync(src, { recursive: true, encoding: 'utf8' });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.endsWith('.ts') || /\.(test|test-d|d)\.ts$/.test(entry)) continue;
      files.push(join(src, entry));
    }
  }
  return files.sort();
}

const DECLARATION =
  /^\s*(?:export\s+)?(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:static\s+)?(?:override\s+)?(?:readonly\s+)?(?:async\s+)?(?:function\*?\s+|class\s+|const\s+|let\s+|var\s+|interface\s+|type\s+|enum\s+|get\s+|set\s+)?\*?\s*([A-Za-z_$][\w$]*|\[[^\]]+\])/;

/** The name of what follows a doc comment, `Class.member` for an indented member. */
function symbolAfter(text: string, commentStart: number, commentEnd: number): string {
  const rest = text.slice(commentEnd).replace(/^\s*\n/, '');
  const line = rest.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('@')) ?? '';
  const name = DECLARATION.exec(line)?.[1] ?? 'unknown';
  const lineStart = text.lastIndexOf('\n', commentStart) + 1;
  if (commentStart === lineStart) return name;
  const classes = [
    ...text.slice(0, commentStart).matchAll(/^export\s+(?:abstract\s+)?class\s+(\w+)/gm),
  ];
  const owner = classes.at(-1)?.[1];
  return owner === undefined ? name : `${owner}.${name}`;
}

// `@corio/core` is src/index.ts, a subpath such as `@corio/core/testing` is src/testing.ts.
const importPath = (pkg: string, subpath = 'index'): string =>
  pathToFileURL(join(packagesDir, pkg, 'src', `${subpath}.ts`)).href;

function extractExamples(file: string): {
  examples: Example[];
  problems: string[];
  tooWide: string[];
} {
  const text = readFileSync(file, 'utf8');
  const rel = relative(packagesDir, file).split('\\').join('/');
  const examples: Example[] = [];
  const problems: string[] = [];
  const tooWide: string[] = [];
  const seen = new Map<string, number>();
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const start = comment.index;
    /** The file's line number (1-based) of the comment's first line. */
    const firstLine = text.slice(0, start).split('\n').length;
    const body = comment[0]
      .slice(3, -2)
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''));
    const symbol = symbolAfter(text, start, start + comment[0].length);
    let inExample = false;
    let block: string[] | undefined;
    let blocksInSection = 0;
    const endSection = (): void => {
      if (inExample && blocksInSection === 0) {
        problems.push(`${rel} ${symbol}: @example without a \`\`\`ts block`);
      }
    };
    for (const [index, line] of body.entries()) {
      if (block !== undefined) {
        if (/^```\s*$/.test(line)) {
          const base = `${rel} ${symbol}`;
          const count = (seen.get(base) ?? 0) + 1;
          seen.set(base, count);
          const code = block
            .join('\n')
            .replace(
              /(['"])@corio\/(core|streams|executor|redis)(?:\/(testing))?\1/g,
              (_m, _q, pkg: string, subpath: string | undefined) =>
                JSON.stringify(importPath(pkg, subpath)),
            );
          examples.push({ title: count === 1 ? base : `${base} #${String(count)}`, file, code });
          block = undefined;
        } else {
          block.push(line);
          const columns = line.length;
          if (columns > EXAMPLE_COLUMNS) {
            tooWide.push(
              `${rel}:${String(firstLine + index)} ${symbol}: ${String(columns)} columns: ${line}`,
            );
          }
        }
        continue;
      }
      if (/^@\w+/.test(line)) {
        endSection();
        inExample = line.startsWith('@example');
        blocksInSection = 0;
        continue;
      }
      if (inExample && /^```(ts|typescript)\s*$/.test(line)) {
        block = [];
        blocksInSection++;
      }
    }
    if (block !== undefined) problems.push(`${rel} ${symbol}: unterminated code block`);
    endSection();
  }
  return { examples, problems, tooWide };
}

/** The ```ts blocks of a Markdown page (the README's example must run too). */
function markdownExamples(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const rel = relative(repoRoot, file);
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, index) => ({
    title: `${rel} #${String(index + 1)}`,
    file,
    code: (match[1] ?? '').replace(
      /(['"])@corio\/(core|streams|executor|redis)\1/g,
      (_m, _q, pkg: string) => JSON.stringify(importPath(pkg)),
    ),
  }));
}

const extracted = sourceFiles().map(extractExamples);
const examples = [
  ...extracted.flatMap((e) => e.examples),
  ...markdownExamples(join(repoRoot, 'README.md')),
];
const problems = extracted.flatMap((e) => e.problems);
const tooWide = extracted.flatMap((e) => e.tooWide);

const workDir = mkdtempSync(join(tmpdir(), 'corio-doc-examples-'));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

// The examples of @corio/redis talk to a throwaway redis-server, found through REDIS_URL.
let redis: RedisServer | undefined;
beforeAll(async () => {
  if (examples.some((e) => e.code.includes('REDIS_URL'))) redis = await startRedis();
}, 20_000);
afterAll(async () => {
  await redis?.stop();
});

// The examples run a few at a time: each is a Node process compiling TypeScript.
const POOL = Math.max(2, Math.min(4, availableParallelism()));
let running = 0;
const queued: (() => void)[] = [];
async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= POOL) await new Promise<void>((resolve) => queued.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queued.shift()?.();
  }
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runExample(path: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CORIO_DEBUG;
    if (redis !== undefined) env.REDIS_URL = `redis://127.0.0.1:${String(redis.port)}`;
    const child = spawn(process.execPath, ['--import', 'tsx', path], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, EXAMPLE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

describe('doc examples', () => {
  it('are found in the packages sources, each @example with a ```ts block', () => {
    expect(examples.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    for (const example of examples) {
      expect(example.code, `${example.title} imports an unknown package`).not.toMatch(/@corio\//);
    }
  });

  it(`fit in ${String(EXAMPLE_COLUMNS)} columns, as the site's page column shows them`, () => {
    expect(tooWide).toEqual([]);
  });

  describe.concurrent('run', () => {
    examples.forEach((example, index) => {
      it(
        example.title,
        async () => {
          const path = join(workDir, `example-${String(index)}.mts`);
          writeFileSync(path, `${example.code}\n`);
          const outcome = await withSlot(() => runExample(path));
          const report = [
            `${example.title} (${relative(repoRoot, example.file)})`,
            outcome.timedOut ? `timed out after ${String(EXAMPLE_TIMEOUT_MS)} ms` : '',
            `exit code ${String(outcome.code)}, signal ${String(outcome.signal)}`,
            '--- stderr',
            outcome.stderr,
            '--- stdout',
            outcome.stdout,
            '--- code',
            example.code,
          ].join('\n');
          expect(outcome.code, report).toBe(0);
        },
        60_000,
      );
    });
  });
});
