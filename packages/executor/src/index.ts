/**
 * The version of `@corio/executor`.
 *
 * Placeholder export until the package's real API lands.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { VERSION } from '@corio/executor';
 *
 * assert.equal(VERSION, '0.1.0');
 * ```
 */
export const VERSION = '0.1.0';
