import type { ConnectionOptions } from 'node:tls';

/**
 * Options for `StreamWriter.startTls`: those of `tls.connect` (for a client) or of a TLS server
 * (`key`, `cert`, for a server), with `isServer` and `signal`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { StartTlsOptions } from '@corio/streams';
 *
 * const options: StartTlsOptions = {
 *   servername: 'example.com',
 *   signal: AbortSignal.timeout(5_000),
 * };
 * // a client's connection upgrades as the client
 * assert.equal(options.isServer, undefined);
 * ```
 */
export interface StartTlsOptions extends Omit<ConnectionOptions, 'socket' | 'path' | 'port'> {
  /**
   * Takes the server's side of the handshake (give a `key` and a `cert`). Writers of a
   * `startServer` connection are servers, the others clients, as in asyncio.
   * @default true for a server's connection, false otherwise
   */
  isServer?: boolean | undefined;
  /**
   * Aborts the handshake, destroying the connection and rejecting with the signal's reason. An
   * already aborted signal rejects at once and leaves the connection as it is.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}
