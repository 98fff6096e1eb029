"""CPython asyncio reference for corio's spawn+join benchmark (bench/index.ts runs this).

Spawns N tasks with asyncio.create_task, each yielding once (``await asyncio.sleep(0)``, the
asyncio counterpart of ``await null``) and returning a number, then joins them with
asyncio.gather. Prints one JSON object: the median and every measured run, in milliseconds.

Usage: python3 bench/asyncio_spawn.py [N] [RUNS] [WARMUP]
"""

import asyncio
import json
import platform
import statistics
import sys
import time


async def work(i: int) -> int:
    await asyncio.sleep(0)
    return i


async def spawn_join(n: int) -> float:
    start = time.perf_counter()
    tasks = [asyncio.create_task(work(i)) for i in range(n)]
    results = await asyncio.gather(*tasks)
    elapsed = (time.perf_counter() - start) * 1000
    if sum(results) != n * (n - 1) // 2:
        raise RuntimeError("asyncio_spawn: wrong results")
    return elapsed


async def main(n: int, runs: int, warmup: int) -> dict[str, object]:
    for _ in range(warmup):
        await spawn_join(n)
    samples = [await spawn_join(n) for _ in range(runs)]
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "n": n,
        "median_ms": statistics.median(samples),
        "runs_ms": samples,
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    n, runs, warmup = (args + [100_000, 5, 1][len(args) :])[:3]
    print(json.dumps(asyncio.run(main(n, runs, warmup))))
