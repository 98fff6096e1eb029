/** Debug mode (asyncio's debug mode): set by `run(main, { debug: true })` or CORIO_DEBUG=1. */
export const debugMode = { enabled: process.env.CORIO_DEBUG === '1' };

/**
 * Where the user called into corio: the first stack frame below `boundary`, the public function
 * they called. Found by function, not by file name, so it holds when a service bundles corio
 * into its own file.
 */
export function callSite(boundary: CallableFunction): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, boundary);
  const frame = (holder.stack ?? '').split('\n')[1];
  return frame === undefined ? 'unknown location' : frame.trim().replace(/^at /, '');
}
