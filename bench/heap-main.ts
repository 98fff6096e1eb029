// Child-process entry for the heap measurement, started by index.ts with --expose-gc when the
// parent has no gc(). Prints the results as one JSON line on stdout.

import { measureHeap } from './heap.js';

process.stdout.write(`${JSON.stringify(await measureHeap())}\n`);
