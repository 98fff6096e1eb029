// What corio keeps alive after it is done with it: nothing. (A module-level binding once kept the
// last promise corio made, and what it settled with, until the next one was made: a gather() of
// 100k cancelled tasks kept their errors and every frame of their stacks, ~1.5 KB per task.)
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const REPO = new URL('../../../', import.meta.url).pathname;
const CORE = new URL('../src/index.ts', import.meta.url).pathname;

/** Runs a snippet under `node --expose-gc --import tsx` and returns its stdout. */
function runWithGc(code: string): string {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: REPO, encoding: 'utf8', timeout: 15_000 },
  );
  if (child.status !== 0) throw new Error(`exited with ${String(child.status)}:\n${child.stderr}`);
  return child.stdout;
}

// In the child: whether what `ref` points to is gone after two full collections, a turn apart.
const COLLECTED = `const collected = async (ref) => {
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return ref.deref() === undefined;
};`;

describe('retention', () => {
  it('a value settled through a corio promise is collected once nothing else holds it', () => {
    const out = runWithGc(`
      import { Future, Queue, createTask, gather, sleep } from ${JSON.stringify(CORE)};
      ${COLLECTED}
      // gather() awaited outside a task: a Future's then() (its settler's promise).
      const settled = async () => {
        const tasks = [1, 2, 3].map(() => createTask(() => new Future()));
        await sleep(0);
        for (const task of tasks) task.cancel();
        return new WeakRef(await gather(tasks, { returnExceptions: true }));
      };
      // A queue item awaited outside a task: a wait's promise.
      const waited = async () => {
        const queue = new Queue();
        const got = queue.get();
        queue.putNowait({ payload: new Array(1000).fill(1) });
        return new WeakRef(await got);
      };
      const refs = [await waited(), await settled()];
      const results = [];
      for (const ref of refs) results.push(await collected(ref));
      console.log(JSON.stringify(results));
    `);
    expect(out.trim()).toBe('[true,true]');
  });

  it('a finished task is collected, with its result, while the tasks it created still run', () => {
    const out = runWithGc(`
      import { createTask, sleep, taskTree, timeout } from ${JSON.stringify(CORE)};
      ${COLLECTED}
      const children = [];
      // The children keep their creator's place in the task tree (its lineage), not the creator.
      const finished = async () => {
        const parent = createTask(async () => {
          children.push(createTask(() => sleep(60_000), { name: 'direct' }));
          await sleep(0);
          children.push(createTask(() => sleep(60_000), { name: 'later' }));
          // The deadline's shared timer outlives the scope: it must not keep the task either.
          await timeout(60_000, () => {
            children.push(createTask(() => sleep(60_000), { name: 'scoped' }));
          });
          return { payload: new Array(100_000).fill(1) };
        });
        const result = await parent;
        return [new WeakRef(parent), new WeakRef(result)];
      };
      const refs = await finished();
      const results = [];
      for (const ref of refs) results.push(await collected(ref));
      console.log(JSON.stringify([...results, taskTree().map((node) => node.name)]));
      for (const child of children) child.cancel();
    `);
    expect(out.trim()).toBe('[true,true,["direct","later","scoped"]]');
  });
});
