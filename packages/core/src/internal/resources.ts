// What the virtual clock sees of the work that is not corio's: the resources that keep Node's
// event loop alive (process.getActiveResourcesInfo(), one kind name per resource). Counted
// against a baseline taken when the clock is installed, since the test runner has its own
// (vitest's workers hold four pipes and the test's timeout timer), and only the kinds that mean
// work in progress: a pending timer, immediate, file system or DNS request, connection attempt,
// write, or a running child process or worker. An open socket or server means nothing by itself
// (it may wait forever); what it receives, when it receives it, is corio's business again.
// Unreferenced handles (`timer.unref()`) are not listed, and so never hold back a jump.

/** Long-lived handles: open, but no work in progress. */
const IDLE_KINDS = new Set([
  'TCPSocketWrap',
  'TCPServerWrap',
  'TCPWRAP',
  'PipeWrap',
  'PipeServerWrap',
  'PIPEWRAP',
  'TTYWrap',
  'UDPWrap',
  'UDPWRAP',
  'SignalWrap',
  'MessagePort',
  'FSEventWrap',
  'StatWatcher',
  'TLSWrap',
  'HTTPINCOMINGMESSAGE',
  'HTTPCLIENTREQUEST',
]);

function countKinds(kinds: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** The resources of the process at one moment, to tell the ones that came later. */
export class ResourceBaseline {
  readonly #baseline: Map<string, number>;

  constructor() {
    this.#baseline = countKinds(process.getActiveResourcesInfo());
  }

  /**
   * The kinds of work in progress beyond the baseline, as `Timeout x2`; empty if none. A pending
   * immediate always counts (Node lists them as one resource, however many there are).
   */
  pending(): string[] {
    const found: string[] = [];
    for (const [kind, count] of countKinds(process.getActiveResourcesInfo())) {
      if (IDLE_KINDS.has(kind)) continue;
      const extra = kind === 'Immediate' ? count : count - (this.#baseline.get(kind) ?? 0);
      if (extra > 0) found.push(extra === 1 ? kind : `${kind} x${String(extra)}`);
    }
    return found;
  }
}

/** Whether an immediate is pending (a `sleep(0)`, or any other code's `setImmediate`). */
export function immediatePending(): boolean {
  return process.getActiveResourcesInfo().includes('Immediate');
}
