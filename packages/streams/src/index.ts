export {
  ConnectionResetError,
  IncompleteReadError,
  LimitOverrunError,
  isConnectionResetError,
  isIncompleteReadError,
  isLimitOverrunError,
} from './errors.js';
export { DEFAULT_LIMIT, StreamReader } from './reader.js';
export type { ReaderTransport, Separator, StreamReaderOptions } from './reader.js';
export { StreamWriter } from './writer.js';
export type { StartTlsOptions } from './start-tls-options.js';
export { openConnection } from './open-connection.js';
export type { OpenConnectionOptions } from './open-connection.js';
export { openUnixConnection } from './open-unix-connection.js';
export type { OpenUnixConnectionOptions } from './open-unix-connection.js';
export { Server } from './server.js';
export type { ClientConnectedCallback } from './server.js';
export { startServer } from './start-server.js';
export type { StartServerOptions } from './start-server.js';
export { startUnixServer } from './start-unix-server.js';
export type { StartUnixServerOptions } from './start-unix-server.js';
