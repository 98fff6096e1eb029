import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGE = new URL('..', import.meta.url).pathname;
const TSC = new URL('../../../node_modules/typescript/bin/tsc', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'corio-pack-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

// What users get from the registry: the packed tarball (dist only, built by `pnpm build`),
// imported by package name from a project that is not part of this workspace.
describe('@corio/core package', () => {
  it('packs dist and works when imported by name from a scratch project', () => {
    // `pnpm test` builds first; a bare `vitest run` may not have.
    if (!existsSync(join(PACKAGE, 'dist', 'index.js'))) {
      execFileSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: PACKAGE });
    }
    execFileSync('npm', ['pack', '--pack-destination', scratch], { cwd: PACKAGE, stdio: 'pipe' });
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    expect(tarball).toMatch(/^corio-core-.*\.tgz$/);
    const target = join(scratch, 'node_modules', '@corio', 'core');
    mkdirSync(target, { recursive: true });
    execFileSync('tar', [
      '-xzf',
      join(scratch, tarball as string),
      '-C',
      target,
      '--strip-components=1',
    ]);
    expect(readdirSync(target).sort()).toEqual(['LICENSE', 'dist', 'package.json']);

    writeFileSync(
      join(scratch, 'main.mjs'),
      `import assert from 'node:assert/strict';
import { createTask, gather, run, sleep, waitFor, TimeoutError } from '@corio/core';
const result = await run(async () => {
  const values = await gather([createTask(() => sleep(1, 'a')), () => 'b']);
  await assert.rejects(waitFor(sleep(1_000), 1), TimeoutError);
  return values.join('');
});
assert.equal(result, 'ab');
console.log('ok');
`,
    );
    const child = spawnSync(process.execPath, ['main.mjs'], { cwd: scratch, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('ok\n');
    expect(child.status).toBe(0);
  });
});
