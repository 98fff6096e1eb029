// The client side of `corio ps|pstree <pid>`: finds or opens the inspector of another Node.js
// process, evaluates an expression there over the Chrome DevTools Protocol (Node's global
// WebSocket), and closes the inspector again if it opened it. Linux and macOS.
import { execFile } from 'node:child_process';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { connect } from 'node:net';

/** A failure to tell the user about, naming the process. */
export class InspectError extends Error {
  override readonly name = 'InspectError';
}

/** The port Node's inspector opens on when nothing else was asked for. */
export const DEFAULT_PORT = 9229;

interface Message {
  id?: number;
  method?: string;
  params?: { args?: { value?: unknown }[] };
  result?: { result?: { value?: unknown }; exceptionDetails?: { text?: string } };
  error?: { message?: string };
}

// Two turns of the target's event loop.
const SETTLE = 'new Promise((resolve) => setImmediate(() => setImmediate(resolve)))';

// Logged to the inspector's console only (never the process's stdout) just before close().
const CLOSING = 'corio: closing the inspector';

/** One CDP connection to one inspector target. */
export class Session {
  readonly #socket: WebSocket;
  // Replies by request id; the listeners of events.
  readonly #replies = new Map<number, (message: Message) => void>();
  readonly #listeners = new Set<(message: Message) => void>();
  #nextId = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as Message;
      if (message.id === undefined) {
        for (const listener of this.#listeners) listener(message);
        return;
      }
      this.#replies.get(message.id)?.(message);
      this.#replies.delete(message.id);
    });
    socket.addEventListener('close', () => {
      for (const settle of this.#replies.values()) settle({ error: { message: 'disconnected' } });
      this.#replies.clear();
    });
  }

  /** Connects to a target's `webSocketDebuggerUrl`. */
  static async open(url: string, ms: number): Promise<Session> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no answer from ${url} within ${String(ms)} ms`));
      }, ms);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${url}`));
      });
    });
    return new Session(socket);
  }

  /** `Runtime.evaluate` with `returnByValue`: the value, or an Error with the exception's text. */
  async evaluate(expression: string, ms: number): Promise<unknown> {
    const reply = await this.#call('Runtime.evaluate', { expression, returnByValue: true }, ms);
    const details = reply.result?.exceptionDetails;
    if (details !== undefined) throw new Error(details.text ?? 'exception');
    return reply.result?.result?.value;
  }

  /**
   * Closes the target's inspector, and disconnects. `inspector.close()` blocks the target until
   * every client has gone, so it is evaluated directly, not from a timer (which raced with the
   * disconnect and crashed Node 24 now and then); we disconnect once its console line says it is
   * about to be called, never before (a disconnect first would drop the evaluation).
   */
  async closeInspector(ms: number): Promise<void> {
    // SIGUSR1 starts the inspector twice over (from an interrupt and from the event loop), the
    // second a no-op while it is open: let the event loop turn first, so that it cannot come
    // after the close and open it again (or crash Node, which a start racing a close did).
    await this.#call('Runtime.evaluate', { expression: SETTLE, awaitPromise: true }, ms);
    await this.#call('Runtime.enable', {}, ms);
    const closing = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        resolve(false);
      }, ms);
      const listener = (message: Message): void => {
        if (message.method !== 'Runtime.consoleAPICalled') return;
        if (message.params?.args?.[0]?.value !== CLOSING) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(true);
      };
      this.#listeners.add(listener);
    });
    const expression = `(() => {
      const inspector = process.getBuiltinModule('node:inspector');
      inspector.console.log(${JSON.stringify(CLOSING)});
      inspector.close();
    })()`;
    this.#send('Runtime.evaluate', { expression });
    await closing;
    await this.close();
  }

  /** Disconnects, and waits until the socket is closed. */
  async close(): Promise<void> {
    const socket = this.#socket;
    if (socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => {
      socket.addEventListener('close', () => {
        resolve();
      });
    });
    socket.close();
    await closed;
  }

  #send(method: string, params: object): number {
    const id = ++this.#nextId;
    this.#socket.send(JSON.stringify({ id, method, params }));
    return id;
  }

  async #call(method: string, params: object, ms: number): Promise<Message> {
    const id = this.#nextId + 1;
    const reply = await new Promise<Message>((resolve) => {
      const timer = setTimeout(() => {
        this.#replies.delete(id);
        resolve({ error: { message: `no answer to ${method} within ${String(ms)} ms` } });
      }, ms);
      this.#replies.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.#send(method, params);
    });
    if (reply.error !== undefined) throw new Error(reply.error.message ?? 'protocol error');
    return reply;
  }
}

interface Target {
  webSocketDebuggerUrl?: string;
}

/** The targets an inspector on 127.0.0.1:`port` lists, or undefined if none answers there. */
async function listTargets(port: number, ms: number): Promise<Target[] | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${String(port)}/json/list`, {
      signal: AbortSignal.timeout(ms),
    });
    const list: unknown = await response.json();
    return Array.isArray(list) ? (list as Target[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/**
 * A session with the inspector of process `pid`, among those listening on `ports`: each target
 * is asked for its `process.pid`. Undefined if none is that process's.
 */
export async function findInspector(
  pid: number,
  ports: readonly number[],
  ms: number,
): Promise<{ session: Session; port: number } | undefined> {
  for (const port of ports) {
    const targets = (await listTargets(port, ms)) ?? [];
    for (const target of targets) {
      const url = target.webSocketDebuggerUrl;
      if (url === undefined) continue;
      let session: Session;
      try {
        session = await Session.open(url, ms);
      } catch {
        continue;
      }
      let found = false;
      try {
        found = (await session.evaluate('process.pid', ms)) === pid;
      } catch {
        // Not a target that evaluates: not ours.
      }
      if (found) return { session, port };
      await session.close();
    }
  }
  return undefined;
}

/**
 * The TCP ports process `pid` listens on, where an inspector it already opened may be (Linux: its
 * socket inodes matched in /proc; macOS: lsof). Undefined where that cannot be read.
 */
export async function listeningPorts(pid: number): Promise<number[] | undefined> {
  if (process.platform === 'darwin') return lsofPorts(pid);
  if (process.platform !== 'linux') return undefined;
  const inodes = new Set<string>();
  try {
    for (const fd of await readdir(`/proc/${String(pid)}/fd`)) {
      const link = await readlink(`/proc/${String(pid)}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match?.[1] !== undefined) inodes.add(match[1]);
    }
  } catch {
    return undefined;
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${String(pid)}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, , state] = fields;
      const inode = fields[9];
      // 0A: LISTEN.
      if (state !== '0A' || inode === undefined || !inodes.has(inode)) continue;
      const port = Number.parseInt(local?.split(':')[1] ?? '', 16);
      if (Number.isInteger(port)) ports.add(port);
    }
  }
  return [...ports];
}

/** macOS: the ports `lsof` says process `pid` listens on. */
function lsofPorts(pid: number): Promise<number[] | undefined> {
  const args = ['-a', '-n', '-P', '-p', String(pid), '-iTCP', '-sTCP:LISTEN', '-Fn'];
  return new Promise((resolve) => {
    execFile('lsof', args, (error, stdout) => {
      // lsof exits with 1 when the process has no listening socket.
      if (error !== null && stdout === '') {
        resolve(error.code === 1 ? [] : undefined);
        return;
      }
      const ports = [...stdout.matchAll(/^n.*:(\d+)$/gm)].map((match) => Number(match[1]));
      resolve([...new Set(ports)]);
    });
  });
}

/**
 * Whether process `pid` handles SIGUSR1, which opens a Node.js process's inspector and ends
 * most other processes. Undefined where that cannot be read (not Linux).
 */
export async function handlesSigusr1(pid: number): Promise<boolean | undefined> {
  if (process.platform !== 'linux') return undefined;
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8').catch(() => undefined);
  const caught = status === undefined ? undefined : /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (caught === undefined) return undefined;
  // SIGUSR1 is signal 10: bit 9 of the mask.
  return (BigInt(`0x${caught}`) & (1n << 9n)) !== 0n;
}

/** Resolves after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
