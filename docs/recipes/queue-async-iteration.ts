import assert from 'node:assert/strict';
import { Queue, QueueShutDown, createTask, run } from '@corio/core';

interface UserEvent {
  type: string;
  id: number;
}

await run(async () => {
  const events = new Queue<UserEvent>();

  // The consumer: `for await` gets items until the queue is shut down
  // *and* drained.
  const handler = createTask(async () => {
    let handled = 0;
    for await (const event of events) {
      console.log(`handled ${event.type} #${String(event.id)}`);
      handled++;
    }
    console.log('the loop ended: the queue is shut down and empty');
    return handled;
  });

  events.putNowait({ type: 'signup', id: 1 });
  events.putNowait({ type: 'order', id: 2 });
  await events.put({ type: 'payment', id: 3 });
  // No more events: later puts throw QueueShutDown; the items already
  // queued are still delivered (shutdown(true) would drop them
  // instead).
  events.shutdown();
  await assert.rejects(
    events.put({ type: 'late', id: 4 }),
    QueueShutDown,
  );

  assert.equal(await handler, 3);
});
