// What `pnpm publish` would ship of @corio/redis: its tarball, checked as the core pack test
// checks the other three (that test installs its tarballs offline; this package's ioredis and
// BullMQ come from the registry, so its tarball is checked without an install).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const DIR = join(ROOT, 'packages', 'redis');
const bin = (name: string): string => join(ROOT, 'node_modules', '.bin', name);
// `pnpm test` hands its scripts npm_config_* variables that npm would read as its own config.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
);

const scratch = mkdtempSync(join(tmpdir(), 'corio-redis-pack-'));
let tarball = '';
let files: string[] = [];

function run(command: string, args: string[], cwd = scratch): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

beforeAll(() => {
  if (!existsSync(join(DIR, 'dist', 'index.js'))) run('pnpm', ['run', 'build'], DIR);
  run('pnpm', ['pack', '--pack-destination', scratch], DIR);
  const { version } = JSON.parse(readFileSync(join(DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  tarball = join(scratch, `corio-redis-${version}.tgz`);
  files = run('tar', ['-tzf', tarball])
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
}, 180_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the @corio/redis tarball', { timeout: 120_000 }, () => {
  it('holds package.json, README.md, LICENSE and dist/*.js|.d.ts only, the bin included', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    expect(files).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/corio-worker.js']),
    );
    const unexpected = files.filter(
      (file) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts))$/.test(file),
    );
    expect(unexpected).toEqual([]);
  });

  it('carries the registry metadata, its workspace dependencies as ^x.y.z, and a runnable bin', () => {
    const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'])) as Record<
      string,
      unknown
    >;
    const core = JSON.parse(
      readFileSync(join(ROOT, 'packages', 'core', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(manifest).toMatchObject({
      name: '@corio/redis',
      type: 'module',
      license: 'MIT',
      engines: { node: '>=22' },
      publishConfig: { access: 'public', provenance: true },
      repository: { type: 'git', directory: 'packages/redis' },
      bin: { 'corio-worker': './dist/corio-worker.js' },
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './package.json': './package.json',
      },
    });
    expect(manifest.private).toBeUndefined();
    const dependencies = manifest.dependencies as Record<string, string>;
    expect(dependencies['@corio/core']).toBe(`^${core.version}`);
    expect(Object.values(dependencies).some((range) => range.startsWith('workspace:'))).toBe(false);
    const worker = run('tar', ['-xzOf', tarball, 'package/dist/corio-worker.js']);
    expect(worker.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('keeps no @internal member in its declarations', () => {
    const leftovers = files
      .filter((file) => file.endsWith('.d.ts'))
      .filter((file) => run('tar', ['-xzOf', tarball, `package/${file}`]).includes('@internal'));
    expect(leftovers).toEqual([]);
  });

  it('publint --strict and attw --profile esm-only find nothing', () => {
    expect(run(bin('publint'), ['run', tarball, '--strict'])).toContain('All good!');
    // attw exits non-zero on a problem outside the profile's ignored resolutions.
    run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
  });
});
