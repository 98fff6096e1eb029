export {
  ConnectionResetError,
  IncompleteReadError,
  LimitOverrunError,
  isConnectionResetError,
  isIncompleteReadError,
  isLimitOverrunError,
} from './errors.js';
export type { StreamWaitOptions } from './internal/waiters.js';
export { DEFAULT_LIMIT, StreamReader } from './reader.js';
export type { ReaderTransport, Separator, StreamReaderOptions } from './reader.js';
export { StreamWriter } from './writer.js';
export { openConnection } from './open-connection.js';
export type { OpenConnectionOptions } from './open-connection.js';
export { Server, startServer } from './start-server.js';
export type { ClientConnectedCallback, StartServerOptions } from './start-server.js';
