import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// Every program under docs/guide/examples is shown on a guide page: each one runs here as a
// reader would run it (`node --import tsx <file>` from docs/), exits 0 by itself, writes nothing
// to stderr and, where it prints, prints exactly what the page says. `@corio/*` resolves as in a
// reader's project, through docs/node_modules to the built packages (`pnpm build` first): the
// tsconfig given to tsx has no `paths` mapping them to the sources.

const docs = fileURLToPath(new URL('..', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url));
const examples = readdirSync(new URL('../guide/examples/', import.meta.url))
  .filter((name) => name.endsWith('.ts'))
  .sort();

// The expected stdout of the examples that print.
const expectedOutput: Record<string, string> = {
  'first-task.ts': 'hello from greeter\nresults: 3, 1, 2\n',
  'run-cleanup.ts': 'main: done\nbackground: cancelled, cleaning up\nrun() returned 42\n',
  'cancel-at-await.ts': 'worker: step 1\nworker: cancelled (shutting down), cleaning up\n',
  'task-group.ts': 'fetched a, b, c\n',
  'wait-for.ts': 'query: cancelled, rolling back\nTimeoutError after the rollback\n',
  'current-task.ts': 'main sees main\nchild sees child-1\ntimer callback sees child-1\n',
  'task-tree.ts': [
    '<Task name=main pending>',
    '├── taskGroup <TaskGroup tasks=2 errors=0 running>',
    '│   ├── <Task name=consumer pending>',
    '│   │   └── get <Queue maxsize=0 qsize=0 getters=1 putters=0>',
    '│   └── <Task name=shutdown pending>',
    '│       └── await <Task name=flusher pending>',
    '└── <Task name=flusher pending>',
    '    └── acquire <Lock [locked, waiters:1]>',
    '',
  ].join('\n'),
  'virtual-time-advance.ts': 'beats at 10000, 20000; now 26000\n',
  'virtual-time-autojump.ts':
    'poll at 2000 ms\npoll at 4000 ms\npoll at 6000 ms\ngave up at 7000 ms\n',
  'virtual-time-deadlock.ts':
    'Deadlock at 500.0 ms of virtual time: every task waits for something that no timer, I/O ' +
    'or other task will bring; the pending tasks:\n' +
    '  <Task name=withVirtualClock pending>\n' +
    '  ├── wait <Event [unset, waiters:1]>\n' +
    '  └── <Task name=consumer pending>\n' +
    '      └── get <Queue maxsize=0 qsize=0 getters=1 putters=0>\n',
};

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runExample(name: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', `guide/examples/${name}`],
      {
        cwd: docs,
        timeout: 20_000,
        env: { ...process.env, NO_COLOR: '1', TSX_TSCONFIG_PATH: tsconfig },
      },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : (child.exitCode ?? null), stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

// Two children at a time: the programs are small, the machine is shared.
const outcomes = new Map<string, Outcome>();
async function runAll(): Promise<void> {
  const queue = [...examples];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      outcomes.set(name, await runExample(name));
    }
  };
  await Promise.all([worker(), worker()]);
}

describe('docs/guide/examples', () => {
  beforeAll(runAll, 120_000);

  it('has the examples the guide includes', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
    for (const name of Object.keys(expectedOutput)) expect(examples).toContain(name);
  });

  it.each(examples)('%s exits 0 without writing to stderr', (name) => {
    const outcome = outcomes.get(name);
    expect(outcome, `${name} did not run`).toBeDefined();
    const { code, stdout, stderr } = outcome ?? { code: null, stdout: '', stderr: '' };
    expect(stderr, `stderr of ${name}`).toBe('');
    expect(code, `exit status of ${name}; stdout:\n${stdout}`).toBe(0);
    const expected = expectedOutput[name];
    if (expected !== undefined) expect(stdout).toBe(expected);
  });
});
