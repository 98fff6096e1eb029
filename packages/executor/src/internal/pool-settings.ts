import { availableParallelism } from 'node:os';
import { SHARE_ENV } from 'node:worker_threads';
import type { WorkerPoolExecutorOptions } from '../worker-pool-executor.js';
import type { SchedulerSettings } from './scheduler.js';

const KNOWN: readonly string[] = [
  'maxWorkers',
  'idleTimeoutMs',
  'resourceLimits',
  'execArgv',
  'env',
  'cancelGraceMs',
  'maxJobsPerWorker',
  'maxHeapUsedMb',
];

const LIMITS: readonly string[] = [
  'maxOldGenerationSizeMb',
  'maxYoungGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
];

/**
 * WorkerPoolExecutor's options, checked: a mistake is a TypeError or RangeError naming the option
 * at construction, not a crash from a microtask at the first submit() (where `new Worker` would
 * throw it).
 */
export function poolSettings(options: WorkerPoolExecutorOptions): SchedulerSettings {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new TypeError(fail(`'options' must be an object, received ${describe(options)}`));
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) {
      throw new TypeError(fail(`unknown option '${key}' (known: ${KNOWN.join(', ')})`));
    }
  }
  const maxWorkers = options.maxWorkers ?? availableParallelism();
  if (!Number.isInteger(maxWorkers) || maxWorkers < 1) {
    throw new RangeError(
      fail(`'maxWorkers' must be a positive integer, received ${describe(maxWorkers)}`),
    );
  }
  return {
    maxWorkers,
    idleTimeoutMs: duration(options.idleTimeoutMs, 'idleTimeoutMs', Infinity),
    cancelGraceMs: duration(options.cancelGraceMs, 'cancelGraceMs', 1000),
    spawn: {
      resourceLimits: resourceLimits(options.resourceLimits),
      execArgv: execArgv(options.execArgv),
      env: env(options.env),
      maxJobs: maxJobs(options.maxJobsPerWorker),
      maxHeapBytes: maxHeapBytes(options.maxHeapUsedMb),
    },
  };
}

function fail(what: string): string {
  return `Cannot create WorkerPoolExecutor: ${what}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** A number of ms >= 0 (Infinity allowed), or the default. */
function duration(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(fail(`'${name}' must be a number, received ${describe(value)}`));
  }
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(
      fail(`'${name}' must be a non-negative number, received ${String(value)}`),
    );
  }
  return value;
}

function resourceLimits(value: unknown): SchedulerSettings['spawn']['resourceLimits'] {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(fail(`'resourceLimits' must be an object, received ${describe(value)}`));
  }
  for (const [key, limit] of Object.entries(value)) {
    if (!LIMITS.includes(key)) {
      throw new TypeError(fail(`unknown 'resourceLimits.${key}' (known: ${LIMITS.join(', ')})`));
    }
    if (limit !== undefined && (typeof limit !== 'number' || !(limit > 0))) {
      throw new RangeError(
        fail(`'resourceLimits.${key}' must be a positive number, received ${describe(limit)}`),
      );
    }
  }
  return value;
}

function execArgv(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((arg) => typeof arg === 'string')) {
    throw new TypeError(
      fail(`'execArgv' must be an array of strings, received ${describe(value)}`),
    );
  }
  return value;
}

function env(value: unknown): SchedulerSettings['spawn']['env'] {
  if (value === undefined || value === SHARE_ENV) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      fail(`'env' must be an object of strings or SHARE_ENV, received ${describe(value)}`),
    );
  }
  return value as NodeJS.Dict<string>;
}

/** maxJobsPerWorker as the worker takes it: 0 for no limit. */
function maxJobs(value: unknown): number {
  if (value === undefined || value === Infinity) return 0;
  if (typeof value !== 'number') {
    throw new TypeError(fail(`'maxJobsPerWorker' must be a number, received ${describe(value)}`));
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      fail(`'maxJobsPerWorker' must be a positive integer or Infinity, received ${String(value)}`),
    );
  }
  return value;
}

/** maxHeapUsedMb in bytes, as the worker takes it: 0 for no limit. */
function maxHeapBytes(value: unknown): number {
  if (value === undefined || value === Infinity) return 0;
  if (typeof value !== 'number') {
    throw new TypeError(fail(`'maxHeapUsedMb' must be a number, received ${describe(value)}`));
  }
  if (!(value > 0)) {
    throw new RangeError(
      fail(`'maxHeapUsedMb' must be a positive number, received ${String(value)}`),
    );
  }
  return Math.round(value * 1024 * 1024);
}
