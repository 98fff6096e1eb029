import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { TimeoutError, currentTask, run, waitFor } from '@corio/core';

// Runs a Node.js snippet in a child process and returns what it
// printed. Node's APIs take an AbortSignal: the current task's signal
// aborts when the task is cancelled, which kills the process; we still
// wait for it to exit, so nothing outlives the task.
async function runNode(code: string): Promise<string> {
  const signal = currentTask()?.signal;
  const child = spawn(process.execPath, ['-e', code], {
    signal,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout
    .setEncoding('utf8')
    .on('data', (chunk: string) => (output += chunk));
  // an abort: handled below, once the process is gone
  child.on('error', () => undefined);
  const [status, killedBy] = await new Promise<
    [number | null, NodeJS.Signals | null]
  >((resolve) => {
    child.on('close', (...exit) => {
      resolve(exit);
    });
  });
  if (signal?.aborted === true) {
    console.log(`  the process was killed by ${String(killedBy)}`);
    // throws the task's CancelledError: the task ends cancelled
    signal.throwIfAborted();
  }
  if (status !== 0)
    throw new Error(
      `the process ended with ${killedBy ?? String(status)}`,
    );
  return output.trim();
}

await run(async () => {
  const answer = await waitFor(
    () => runNode('console.log(6 * 7)'),
    10_000,
  );
  console.log(`quick command printed ${answer}`);

  console.log('slow command, given 200 ms:');
  try {
    await waitFor(() => runNode('setTimeout(() => {}, 60_000)'), 200);
    assert.fail('unreachable');
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    const cause = String(error.cause);
    console.log(`  then waitFor threw ${error.name} (cause: ${cause})`);
  }
});
