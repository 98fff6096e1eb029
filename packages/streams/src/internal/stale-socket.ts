import { lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';

/**
 * Removes the socket file at `path` if nothing listens on it (the file a crashed server left),
 * so that listening there works, as asyncio's `create_unix_server` does.
 *
 * asyncio removes any socket file; this connects first and removes it only if the connection
 * is refused, so a live server's socket stays (listening then fails with `EADDRINUSE`, as it
 * should). A path that is not a socket is never touched. A server that starts or stops between
 * the check and the `listen()` makes `listen()` fail as it would have without the check.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch {
    return; // Missing or out of reach: listen() reports what is wrong.
  }
  if (!isSocket || !(await refusesConnections(path))) return;
  // Failing to remove it leaves listen() to report the path in use.
  await unlink(path).catch(() => undefined);
}

/** Whether a connection to the socket at `path` is refused: nothing listens there. */
function refusesConnections(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    let refused = false;
    const probe = connect({ path });
    probe.once('connect', () => {
      // A live server sees a connection that closes at once.
      probe.destroy();
    });
    probe.once('error', (error: NodeJS.ErrnoException) => {
      refused = error.code === 'ECONNREFUSED';
    });
    // Resolved on 'close', once the probe's handle is released: nothing is left open.
    probe.once('close', () => {
      resolve(refused);
    });
  });
}
