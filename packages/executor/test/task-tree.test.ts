// A task awaiting an executor job shows in the task tree with the job's printed state.
import { createTask, formatTaskTree, gather, sleep, taskTree } from '@corio/core';
import { WorkerPoolExecutor } from '@corio/executor';
import { describe, expect, it } from 'vitest';
import { blockingJob, cells, setCell, waitForCell } from './helpers.js';

describe('taskTree', () => {
  it('shows a task awaiting an executor job, running or queued, by the job state', async () => {
    await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const shared = cells();
    const running = createTask(
      () => pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 0, 'done'),
      {
        name: 'running',
      },
    );
    const thread = await waitForCell(shared, 0);
    const queued = createTask(
      () => pool.submit(blockingJob, shared.buffer as SharedArrayBuffer, 2, 'later'),
      {
        name: 'queued',
      },
    );
    await sleep(0);
    const mine = taskTree().filter((node) => node.task === running || node.task === queued);
    expect(formatTaskTree(mine).split('\n')).toEqual([
      '<Task name=running pending>',
      `└── await <JobFuture fn=blockingJob pending, in worker thread ${String(thread)}>`,
      '<Task name=queued pending>',
      expect.stringMatching(
        /^└── await <JobFuture fn=blockingJob pending, (queued|in worker thread \d+)>$/,
      ),
    ]);
    setCell(shared, 1, 1);
    setCell(shared, 3, 1);
    expect(await gather([running, queued])).toEqual(['done', 'later']);
  });
});
