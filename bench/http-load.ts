// The load of the HTTP benchmark, in a process of its own:
// `tsx bench/http-load.ts <port> <seconds> <connections>`. Runs autocannon against
// http://127.0.0.1:<port>/ and prints one JSON line: the requests completed, errors, and the
// latency percentiles in milliseconds. The percentiles come from every response's own time
// (autocannon's 'response' event, in fractional milliseconds), not from autocannon's report,
// whose histogram keeps whole milliseconds: too coarse for latencies under one.
import { createRequire } from 'node:module';

interface Instance {
  on(
    event: 'response',
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void;
  on(event: 'done', listener: (result: Record<string, unknown>) => void): void;
}
type Autocannon = (options: { url: string; connections: number; duration: number }) => Instance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const [port, seconds, connections] = process.argv.slice(2).map(Number);
const samples: number[] = [];
const instance = autocannon({
  url: `http://127.0.0.1:${String(port)}/`,
  connections: connections ?? 50,
  duration: seconds ?? 5,
});
instance.on('response', (_client, _status, _bytes, ms) => {
  samples.push(ms);
});
instance.on('done', (result) => {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  console.log(
    JSON.stringify({
      total: sorted.length,
      seconds: Number(result.duration),
      errors: Number(result.errors) + Number(result.non2xx) + Number(result.timeouts),
      p50: at(0.5),
      p99: at(0.99),
      p999: at(0.999),
    }),
  );
});
