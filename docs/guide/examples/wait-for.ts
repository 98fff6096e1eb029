import {
  TimeoutError,
  isCancelledError,
  run,
  sleep,
  waitFor,
} from '@corio/core';

async function query(): Promise<string> {
  try {
    await sleep(60_000);
    return 'rows';
  } catch (error) {
    if (isCancelledError(error)) {
      console.log('query: cancelled, rolling back');
      await sleep(10); // cleanup may await: waitFor waits for it
    }
    throw error;
  }
}

await run(async () => {
  try {
    await waitFor(query, 20);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    console.log('TimeoutError after the rollback');
  }
});
