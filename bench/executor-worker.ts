// The job of the tiny-job case for piscina and tinypool, which take a module with a default
// export: add two numbers (bench/executor.ts).

/** Adds two numbers. */
export default function add({ a, b }: { a: number; b: number }): number {
  return a + b;
}
