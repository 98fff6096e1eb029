import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Runs the demo as `pnpm demo` would, with stdin not a TTY (so it sends itself SIGINT).
function runDemo(): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'examples/demo.ts'],
      { cwd: root, timeout: 15_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : (child.exitCode ?? null), stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

describe('examples/demo.ts', () => {
  it('runs every section and exits 0 after a simulated Ctrl-C', async () => {
    const { code, stdout, stderr } = await runDemo();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const expected = [
      /created 3 tasks; none has started yet: <Task name=fetch-a pending>/,
      /fetch-a started\n.*fetch-b started\n.*fetch-c started/,
      /results: slow, fast, plain value/,
      /slow-query: cancelled, cleaning up\n.*TimeoutError: .*\(cause: CancelledError\)/,
      /slow-query\.cancelled\(\) = true/,
      /step 1 done\n[^]*step \d: cancelled, cleaning up\n.*TimeoutError after the deadline; scope\.expired\(\) = true/,
      /download-1: cancelled/,
      /TaskGroupError: unhandled errors in a TaskGroup \(1 sub-error\)\n.*- Error: disk full/,
      /sending ourselves SIGINT/,
      /main: CancelledError \(interrupted by SIGINT\), cleaned up/,
      /background: cancelled, cleaning up/,
      /run\(\) returned 'ok'; exiting normally/,
    ];
    let from = 0;
    for (const pattern of expected) {
      const match = pattern.exec(stdout.slice(from));
      expect(
        match,
        `${String(pattern)} after offset ${String(from)} in:\n${stdout}`,
      ).not.toBeNull();
      from += (match?.index ?? 0) + (match?.[0].length ?? 0);
    }
  });
});
