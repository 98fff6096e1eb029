// Memory against a hostile peer, measured in a process of its own (test/fixtures/hostile-peer.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/hostile-peer.ts', import.meta.url));
const MiB = 1024 * 1024;

interface Figures {
  offered: number;
  sent: number;
  received: number;
  limit: number;
  chunk: number;
  overruns: number;
  maxBuffered: number;
  growth: { rss: number; arrayBuffers: number; heapUsed: number };
  retained: number;
  gc: boolean;
}

function runFixture(
  mebibytes: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fixture, String(mebibytes)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('StreamReader against a hostile peer', () => {
  it('256 MiB without a newline: every readLine() overruns, and memory stays bounded', async () => {
    const { code, stdout, stderr } = await runFixture(256);
    expect(code, stderr).toBe(0);
    const figures = JSON.parse(stdout) as Figures;
    expect(figures.gc).toBe(true);
    // Every byte on offer went through the reader, as LimitOverrunErrors.
    expect(figures.sent).toBe(256 * MiB);
    expect(figures.received).toBe(256 * MiB);
    expect(figures.overruns).toBeGreaterThan((256 * MiB) / (2 * figures.limit + figures.chunk));
    // The reader pauses its socket above 2 * limit: at most one chunk more arrives.
    expect(figures.maxBuffered).toBeLessThanOrEqual(2 * figures.limit + figures.chunk);
    // Generous bounds (the socket's chunks are garbage until V8 collects them), far below the
    // 256 MiB an unbounded reader would hold.
    expect(figures.growth.rss).toBeLessThan(64 * MiB);
    expect(figures.growth.arrayBuffers).toBeLessThan(64 * MiB);
    expect(figures.growth.heapUsed).toBeLessThan(32 * MiB);
    // What a collection leaves: about the reader's own buffer.
    expect(figures.retained).toBeLessThan(8 * MiB);
  });
});
