import { describe, expect, it } from 'vitest';
import { debugMode } from './internal/debug.js';
import {
  Barrier,
  Condition,
  Event,
  Future,
  Lock,
  Queue,
  Semaphore,
  allTasks,
  createTask,
  formatTaskTree,
  gather,
  limiter,
  sleep,
  suspend,
  taskGroup,
  taskTree,
  timeout,
  wait,
  waitFor,
} from './index.js';
import type { Task, TaskTreeNode } from './index.js';
import { withVirtualClock } from './testing.js';
import { flushMicrotasks, nextTurn } from '../test/helpers.js';

/** Times and deadlines vary from run to run: `<t>` stands for them. */
function normalise(text: string): string {
  return text.replace(/\d+\.\d s left/g, '<t> s left').replace(/when=\d+\.\d/g, 'when=<t>');
}

/** Cancels every pending task and waits until they have all finished. */
async function cancelAll(): Promise<void> {
  const tasks = [...allTasks()];
  for (const task of tasks) task.cancel();
  await gather(tasks, { returnExceptions: true });
}

const find = (nodes: readonly TaskTreeNode[], task: Task<unknown>): TaskTreeNode | undefined => {
  for (const node of nodes) {
    if (node.task === task) return node;
    const inScopes = (scopes: TaskTreeNode['scopes']): TaskTreeNode | undefined => {
      for (const scope of scopes) {
        const found = find(scope.children, task) ?? inScopes(scope.scopes);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const found = find(node.children, task) ?? inScopes(node.scopes);
    if (found !== undefined) return found;
  }
  return undefined;
};

describe('taskTree', () => {
  it('shows every pending task under its creator, with its scopes and what it waits on', async () => {
    const lock = new Lock();
    await lock.acquire();
    const queue = new Queue<string>(10);
    const event = new Event();
    const main = createTask(
      async () => {
        const sleeper = createTask(() => sleep(60_000), { name: 'sleeper' });
        await createTask(() => 'gone', { name: 'finished' });
        await timeout(30_000, () =>
          taskGroup(async (tg) => {
            tg.createTask(() => lock.acquire(), { name: 'locker' });
            tg.createTask(() => queue.get(), { name: 'getter' });
            tg.createTask(() => event.wait(), { name: 'waiter' });
            tg.createTask(
              async () => {
                createTask(() => sleep(60_000), { name: 'grandchild' });
                await sleeper;
              },
              { name: 'awaiter' },
            );
            await event.wait();
          }),
        );
      },
      { name: 'main' },
    );
    await nextTurn();

    expect(normalise(formatTaskTree()).split('\n')).toEqual([
      '<Task name=main pending>',
      '├── timeout <t> s left <TimeoutScope active when=<t>>',
      '│   └── taskGroup <TaskGroup tasks=4 errors=0 running>',
      '│       ├── wait <Event [unset, waiters:2]>',
      '│       ├── <Task name=locker pending>',
      '│       │   └── acquire <Lock [locked, waiters:1]>',
      '│       ├── <Task name=getter pending>',
      '│       │   └── get <Queue maxsize=10 qsize=0 getters=1 putters=0>',
      '│       ├── <Task name=waiter pending>',
      '│       │   └── wait <Event [unset, waiters:2]>',
      '│       └── <Task name=awaiter pending>',
      '│           ├── await <Task name=sleeper pending>',
      '│           └── <Task name=grandchild pending>',
      '│               └── sleep <t> s left',
      '└── <Task name=sleeper pending>',
      '    └── sleep <t> s left',
    ]);

    const [root, ...others] = taskTree();
    expect(others).toEqual([]);
    expect(root?.task).toBe(main);
    expect(root?.name).toBe('main');
    expect(root?.state).toBe('pending');
    expect(root?.createdAt).toBeUndefined();
    expect(root?.waitingOn).toEqual([]);
    const group = root?.scopes[0]?.scopes[0];
    expect(group?.scope).toBe('taskGroup <TaskGroup tasks=4 errors=0 running>');
    expect(group?.children.map((child) => child.name)).toEqual([
      'locker',
      'getter',
      'waiter',
      'awaiter',
    ]);
    expect(root?.children.map((child) => child.name)).toEqual(['sleeper']);
    await cancelAll();
    expect(taskTree()).toEqual([]);
    expect(formatTaskTree()).toBe('');
  });

  it('shows the printed state of each kind of wait', async () => {
    const semaphore = new Semaphore(0);
    const condition = new Condition();
    const barrier = new Barrier(3);
    const queue = new Queue<number>(1);
    queue.putNowait(1);
    const future = new Future<number>();
    const limit = limiter(1);
    const tasks = [
      createTask(() => semaphore.acquire(), { name: 'semaphore' }),
      createTask(() => condition.use(() => condition.wait()), { name: 'condition' }),
      createTask(() => barrier.wait(), { name: 'barrier' }),
      createTask(() => queue.put(2), { name: 'putter' }),
      createTask(() => queue.join(), { name: 'joiner' }),
      createTask(() => future, { name: 'future' }),
      createTask(() => wait([future], { returnWhen: 'FIRST_COMPLETED' }), { name: 'wait' }),
      createTask(() => waitFor(future, null), { name: 'waitFor' }),
      createTask(() => suspend(() => undefined), { name: 'suspend' }),
      createTask(() => suspend(() => undefined, { waitingOn: { toString: () => '<Mine>' } }), {
        name: 'mine',
      }),
      createTask(() => sleep(Infinity), { name: 'forever' }),
      limit(() => sleep(60_000)),
      limit(() => sleep(60_000)),
    ];
    await nextTurn();
    const lines = taskTree().map(
      (node) => `${node.name} ${node.state}: ${normalise(node.waitingOn.join(', '))}`,
    );
    expect(lines.slice(0, 11)).toEqual([
      'semaphore pending: acquire <Semaphore [locked, value:0, waiters:1]>',
      'condition pending: wait <Condition [unlocked, waiters:1]>',
      'barrier pending: wait <Barrier [filling, waiters:1/3]>',
      'putter pending: put <Queue maxsize=1 qsize=1 getters=0 putters=1>',
      'joiner pending: join <Queue maxsize=1 qsize=1 getters=0 putters=1>',
      'future pending: await <Future pending>',
      'wait pending: wait FIRST_COMPLETED: 1 of 1 pending',
      'waitFor pending: waitFor <Future pending>',
      'suspend pending: suspend()',
      'mine pending: <Mine>',
      'forever pending: sleep forever',
    ]);
    expect(lines.slice(11)).toEqual([
      expect.stringMatching(/^Task-\d+ pending: sleep <t> s left$/),
      expect.stringMatching(/^Task-\d+ queued: $/),
    ]);
    const queued = find(taskTree(), tasks[12] as Task<unknown>);
    expect(queued?.state).toBe('queued');
    expect(queued?.description).toMatch(
      /^<Task name=Task-\d+ pending> queued in <limiter \[active:1\/1, pending:1\]>$/,
    );
    future.setResult(1);
    await cancelAll();
  });

  it('shows a cancelled task that has not finished yet as cancelling', async () => {
    const task = createTask(
      async () => {
        try {
          await sleep(60_000);
        } finally {
          await sleep(60_000);
        }
      },
      { name: 'stubborn' },
    );
    await nextTurn();
    task.cancel();
    await flushMicrotasks();
    expect(taskTree()[0]?.state).toBe('cancelling');
    expect(formatTaskTree().split('\n')[0]).toBe('<Task name=stubborn cancelling>');
    task.cancel();
    await gather([task], { returnExceptions: true });
  });

  it('moves a task up to its creator once the scope it was created in has closed', async () => {
    let child: Task<unknown> | undefined;
    const parent = createTask(
      async () => {
        await timeout(60_000, () => {
          child = createTask(() => sleep(60_000), { name: 'child' });
        });
        await sleep(60_000);
      },
      { name: 'parent' },
    );
    await nextTurn();
    const [root] = taskTree();
    expect(root?.task).toBe(parent);
    expect(root?.scopes).toEqual([]);
    expect(root?.children.map((node) => node.task)).toEqual([child]);
    await cancelAll();
  });

  it('makes a task whose creator has finished a root', async () => {
    const parent = createTask(() => {
      createTask(() => sleep(60_000), { name: 'orphan' });
      return 'done';
    });
    await parent;
    await nextTurn();
    expect(taskTree().map((node) => node.name)).toEqual(['orphan']);
    await cancelAll();
  });

  it('puts the children of a TaskGroup under the group, whoever calls tg.createTask', async () => {
    let started: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      started = resolve;
    });
    const owner = createTask(
      () =>
        taskGroup(async (tg) => {
          createTask(
            () => {
              tg.createTask(() => sleep(60_000), { name: 'adopted' });
            },
            { name: 'helper' },
          );
          started?.();
          await sleep(60_000);
        }),
      { name: 'owner' },
    );
    await gate;
    await nextTurn();
    const [root] = taskTree();
    expect(root?.task).toBe(owner);
    expect(root?.scopes[0]?.children.map((node) => node.name)).toEqual(['adopted']);
    await cancelAll();
  });

  it('shows where each task was created, in debug mode', async () => {
    const previous = debugMode.enabled;
    debugMode.enabled = true;
    let task: Task<void>;
    try {
      task = createTask(() => sleep(60_000), { name: 'traced' });
    } finally {
      debugMode.enabled = previous;
    }
    await nextTurn();
    const [node] = taskTree();
    expect(node?.createdAt).toMatch(/task-tree\.test\.ts:\d+:\d+\)?$/);
    expect(formatTaskTree()).toMatch(
      /^<Task name=traced pending created at .*task-tree\.test\.ts:\d+:\d+\)?>\n└── sleep \d+\.\d s left$/,
    );
    task.cancel();
    await gather([task], { returnExceptions: true });
  });

  it('shows times left on the virtual clock, exactly', async () => {
    const text = await withVirtualClock(async (clock) => {
      const sleeper = createTask(() => sleep(60_000), { name: 'sleeper' });
      const timed = createTask(() => timeout(30_000, () => sleep(Infinity)), { name: 'timed' });
      await clock.advance(12_500);
      const text = formatTaskTree();
      sleeper.cancel();
      timed.cancel();
      return text;
    });
    expect(text.split('\n')).toEqual([
      '<Task name=withVirtualClock pending>',
      '├── <Task name=sleeper pending>',
      '│   └── sleep 47.5 s left',
      '└── <Task name=timed pending>',
      '    └── timeout 17.5 s left <TimeoutScope active when=30000.0>',
      '        └── sleep forever',
    ]);
  });

  it('is published on globalThis for reading from outside the process', async () => {
    const task = createTask(() => sleep(60_000), { name: 'seen' });
    await nextTurn();
    const hook = (globalThis as Record<symbol, unknown>)[Symbol.for('corio.inspect')] as {
      version: number;
      formatTaskTree(): string;
      taskTree(): TaskTreeNode[];
    };
    expect(hook.version).toBe(1);
    expect(hook.formatTaskTree()).toBe(formatTaskTree());
    expect(hook.taskTree().map((node) => node.task)).toEqual([task]);
    await cancelAll();
  });
});

describe('formatTaskTree', () => {
  it('renders a tree it is given', () => {
    const leaf = { waitingOn: ['sleep 1.0 s left'], scopes: [], children: [] };
    const tree = [
      {
        ...leaf,
        task: undefined as never,
        name: 'a',
        state: 'pending' as const,
        description: '<Task name=a pending>',
        createdAt: undefined,
        scopes: [{ scope: 'taskGroup <TaskGroup tasks=0 errors=0 running>', ...leaf }],
      },
    ];
    expect(formatTaskTree(tree)).toBe(
      [
        '<Task name=a pending>',
        '├── sleep 1.0 s left',
        '└── taskGroup <TaskGroup tasks=0 errors=0 running>',
        '    └── sleep 1.0 s left',
      ].join('\n'),
    );
  });

  it('refuses a tree that is not an array, naming it', () => {
    expect(() => formatTaskTree('tree' as never)).toThrow(
      new TypeError(`formatTaskTree: 'tree' must be an array of task tree nodes, received "tree"`),
    );
  });
});
