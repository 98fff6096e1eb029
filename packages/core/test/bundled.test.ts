// A service that bundles corio into its own file: debug mode must still name the user's line as
// a task's creation site (found by function boundary, not by corio's file path).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const coreSource = fileURLToPath(new URL('../src/index.ts', import.meta.url));

// Each call that starts a task sleeps a distinct number of ms, to find its line in the bundle.
const program = `
import { allTasks, createTask, gather, limiter, run, sleep, waitFor } from '@corio/core';
await run(async () => {
  const started = [
    createTask(() => sleep(101)),
    gather([() => sleep(102)]),
    limiter(1)(() => sleep(103)),
    waitFor(() => sleep(104), 1_000),
  ];
  const sites = [...allTasks()].filter((t) => t.name !== 'main').map((t) => t.createdAt);
  console.log(JSON.stringify(sites));
  await Promise.all(started);
});
`;

let dir = '';
let bundle = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corio-bundle-'));
  await writeFile(join(dir, 'entry.ts'), program);
  bundle = join(dir, 'service.mjs');
  await build({
    entryPoints: [join(dir, 'entry.ts')],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    alias: { '@corio/core': coreSource },
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The 1-based line of the bundle that holds `text`. */
async function lineOf(text: string): Promise<number> {
  const lines = (await readFile(bundle, 'utf8')).split('\n');
  return lines.findIndex((line) => line.includes(text)) + 1;
}

describe('debug mode in a bundled service', () => {
  it("names the user's line as the creation site, not a frame of corio's own", async () => {
    const { stdout } = await run(process.execPath, [bundle], {
      env: { ...process.env, CORIO_DEBUG: '1' },
    });
    const sites = JSON.parse(stdout) as string[];
    const lines = await Promise.all(
      [101, 102, 103, 104].map((ms) => lineOf(`sleep(${String(ms)})`)),
    );
    expect(lines.every((line) => line > 0)).toBe(true);
    // createTask, gather, limiter and waitFor start one task each.
    expect(sites).toHaveLength(4);
    sites.forEach((site, index) => {
      expect(site).toContain(`service.mjs:${String(lines[index])}:`);
    });
  });
});
