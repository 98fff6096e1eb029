/** Debug mode (asyncio's debug mode): set by `run(main, { debug: true })` or CORIO_DEBUG=1. */
export const debugMode = { enabled: process.env.CORIO_DEBUG === '1' };

const internalFrame =
  /[\\/]packages[\\/]core[\\/](?:src|dist)[\\/]|node:internal|node_modules[\\/]@corio[\\/]core/;

/** The first stack frame outside corio: where the user called into it. */
export function callSite(): string {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    if (!internalFrame.test(line)) return line.trim().replace(/^at /, '');
  }
  return 'unknown location';
}
