// Child-process entry for the heap measurement, started by index.ts with --expose-gc, once per
// variant (`heap-main.ts heap.future`; no argument: all of them). Prints the results as one JSON
// line on stdout.

import { measureHeap } from './heap.js';

const ids = process.argv.slice(2);

process.stdout.write(`${JSON.stringify(await measureHeap(ids.length === 0 ? undefined : ids))}\n`);
