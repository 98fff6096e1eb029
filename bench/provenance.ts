// Where a bench result came from (the machine and the corio sources measured) and where it goes
// (bench/results/<suite><node major>.json). Every results file records both, so a figure can be
// traced to a commit and compared across machines; the docs' benchmarks page reads them all.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { format, resolveConfig } from 'prettier';

const execFileAsync = promisify(execFile);
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * The commit, and a digest of the named packages' sources as they are in the working tree (a
 * bench run on uncommitted changes gets a digest no commit has).
 */
export async function corioSource(
  packages: readonly string[],
): Promise<{ commit: string; srcDigest: string }> {
  const hash = createHash('sha256');
  for (const pkg of packages) {
    const src = `${ROOT_DIR}packages/${pkg}/src`;
    const files = (await readdir(src, { recursive: true }))
      .filter((f) => /\.(ts|js)$/.test(f) && !/\.test(-d)?\.ts$/.test(f))
      .sort();
    for (const file of files) {
      hash.update(`${pkg}/${file}`).update(await readFile(`${src}/${file}`));
    }
  }
  let commit = 'unknown';
  try {
    const { stdout } = await execFileAsync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT_DIR,
    });
    commit = stdout.trim();
  } catch {
    // Not a git checkout: the digest alone identifies the sources.
  }
  return { commit, srcDigest: hash.digest('hex').slice(0, 12) };
}

/** The machine a run happened on, with its load at the end of the run. */
export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadavg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    date: new Date().toISOString(),
  };
}

/** bench/results/<prefix><node major>.json, for the Node running this. */
function resultsFile(prefix: string): string {
  const major = process.versions.node.split('.')[0] ?? 'unknown';
  return `${ROOT_DIR}bench/results/${prefix}${major}.json`;
}

/** The results file of this Node version, parsed; undefined if there is none. */
export async function readResults(prefix: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(resultsFile(prefix), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Writes `json` to bench/results/<prefix><node major>.json, formatted as `prettier --check`
 * expects (the results are committed), and returns the path.
 */
export async function writeResults(prefix: string, json: unknown): Promise<string> {
  const file = resultsFile(prefix);
  await mkdir(`${ROOT_DIR}bench/results`, { recursive: true });
  const options = (await resolveConfig(file)) ?? {};
  await writeFile(file, await format(JSON.stringify(json), { ...options, parser: 'json' }));
  return file;
}
