// `corio ps|pstree <pid>` against real processes: a run() program with a known task tree, one
// whose inspector is already open, a Node.js program without corio, and a pid that does not exist.
// The bin opens the target's inspector on 127.0.0.1:9229 (SIGUSR1), so these run one at a time.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Child } from './child.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the bin (from its TypeScript source) to its end. */
function corio(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { cwd: ROOT, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

/** Times and deadlines vary from run to run: `<t>` stands for them. */
function normalise(text: string): string {
  return text.replace(/\d+\.\d s left/g, '<t> s left').replace(/when=\d+\.\d/g, 'when=<t>');
}

/** Starts a fixture and waits for its "ready". */
async function start(name: string, env: Record<string, string> = {}): Promise<Child> {
  const child = new Child(name, [], env);
  await child.waitFor('ready\n');
  return child;
}

/** Asks a fixture whether its inspector is open: its url, or 'undefined'. */
async function inspectorOf(child: Child): Promise<string> {
  child.kill('SIGUSR2');
  // One console.log: the line arrives whole.
  await child.waitFor('inspector: ');
  return /inspector: (\S+)/.exec(child.output)?.[1] ?? '';
}

const TREE = [
  '<Task name=main pending>',
  '├── timeout <t> s left <TimeoutScope active when=<t>>',
  '│   └── taskGroup <TaskGroup tasks=3 errors=0 running>',
  '│       ├── wait <Event [unset, waiters:1]>',
  '│       ├── <Task name=locker pending>',
  '│       │   └── acquire <Lock [locked, waiters:1]>',
  '│       ├── <Task name=getter pending>',
  '│       │   └── get <Queue maxsize=0 qsize=0 getters=1 putters=0>',
  '│       └── <Task name=awaiter pending>',
  '│           └── await <Task name=sleeper pending>',
  '└── <Task name=sleeper pending>',
  '    └── sleep <t> s left',
  '',
].join('\n');

describe('corio pstree', () => {
  it('prints the task tree of a run() program, and closes the inspector it opened', async () => {
    const target = await start('task-tree');
    const result = await corio('pstree', String(target.pid));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(normalise(result.stdout)).toBe(TREE);
    expect(await inspectorOf(target)).toBe('undefined');
    target.kill('SIGINT');
    await target.exited;
  });

  it('uses an inspector the process already has open, and leaves it open', async () => {
    const target = await start('task-tree', { NODE_OPTIONS: '--inspect=127.0.0.1:0' });
    const result = await corio('pstree', String(target.pid));
    expect(result.stderr).toBe('');
    expect(normalise(result.stdout)).toBe(TREE);
    expect(await inspectorOf(target)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    target.kill('SIGINT');
    await target.exited;
  });

  it('names the pid of a process that does not exist', async () => {
    const result = await corio('pstree', '99999999');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'corio: no process with pid 99999999\n',
    });
  });

  it('says so for a Node.js process without corio, and closes the inspector it opened', async () => {
    const target = await start('no-corio');
    const result = await corio('pstree', String(target.pid));
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `corio: process ${String(target.pid)} has not loaded @corio/core (no task tree to show)\n`,
    });
    expect(await inspectorOf(target)).toBe('undefined');
    target.kill('SIGTERM');
    await target.exited;
  });

  it('says which port is in the way when the inspector cannot open', async () => {
    const blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(9229, '127.0.0.1', resolve));
    try {
      const target = await start('task-tree');
      const result = await corio('pstree', String(target.pid), '--timeout', '1000');
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `corio: cannot open the inspector of process ${String(target.pid)}: port 9229 is in use by another process (start it with --inspect-port=<a free port>, then pass --port)\n`,
      );
      target.kill('SIGINT');
      await target.exited;
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('refuses a pid that is not a positive integer, naming it', async () => {
    const result = await corio('pstree', 'abc');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^corio: pstree: the pid must be a positive integer, received 'abc'\nusage: corio ps <pid>/,
    );
  });
});

describe('corio ps', () => {
  it('prints one row per task: id, parent, name, state, what it waits on', async () => {
    const target = await start('task-tree');
    const result = await corio('ps', String(target.pid));
    expect(result.stderr).toBe('');
    expect(normalise(result.stdout).split('\n')).toEqual([
      'ID  PARENT  NAME     STATE    WAITING ON',
      '1   -       main     pending  wait <Event [unset, waiters:1]>',
      '2   1       locker   pending  acquire <Lock [locked, waiters:1]>',
      '3   1       getter   pending  get <Queue maxsize=0 qsize=0 getters=1 putters=0>',
      '4   1       awaiter  pending  await <Task name=sleeper pending>',
      '5   1       sleeper  pending  sleep <t> s left',
      '',
    ]);
    expect(await inspectorOf(target)).toBe('undefined');
    target.kill('SIGINT');
    await target.exited;
  });
});
