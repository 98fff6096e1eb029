import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, runFixture, show } from './child.js';

const source = fileURLToPath(new URL('../src', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corio-two-copies-'));
  await cp(source, join(dir, 'a'), { recursive: true });
  await cp(source, join(dir, 'b'), { recursive: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('two copies of @corio/core in one process', () => {
  it('share the current task, scopes, brands and the task tree: the waits of one are cancellation points of the other', async () => {
    const exit = await runFixture('two-copies', [
      join(dir, 'a', 'index.ts'),
      join(dir, 'b', 'index.ts'),
    ]);
    expect(exit.code, show(exit)).toBe(0);
    expect(exit.stderr).toBe('');
    expect(lines(exit.stdout)).toEqual([
      'separate copies: true',
      'b.currentTask() in a task of a: a-task',
      "b.sleep in a's cancelled task: CancelledError: from a",
      'a.timeout around b.sleep: TimeoutError: Timed out: the deadline passed',
      'b.timeout around a.sleep: TimeoutError: Timed out: the deadline passed',
      'b.Queue after a cancelled get: kept',
      "a.isCancelledError(b's): true",
      "b.isTimeoutError(a's): true",
      "a's virtual clock runs b's timers: b.now() 61000, TimeoutError: Timed out: the deadline passed; " +
        "b's withVirtualClock: InvalidStateError: Cannot call withVirtualClock(): a virtual clock is installed already (calls do not nest)",
      `a's tree: ${JSON.stringify(
        [
          '<Task name=a-parent pending>',
          '├── await <Task name=b-child pending>',
          '└── <Task name=b-child pending>',
          '    └── sleep <t> s left',
        ].join('\n'),
      )}`,
      "b's tree is a's: true",
    ]);
  });
});
