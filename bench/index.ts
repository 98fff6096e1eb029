// Placeholder benchmark entry point; replaced by the real benchmarks.
console.log('corio bench: no benchmarks yet');
