"""CPython asyncio reference for corio's synchronisation benchmarks (bench/index.ts runs this).

semaphore: N jobs, each a task that holds ``asyncio.Semaphore(CONCURRENCY)`` around one yield
(``await asyncio.sleep(0)``, the asyncio counterpart of ``await null``), joined with gather.
queue-<maxsize>: a producer task puts ITEMS numbers into ``asyncio.Queue(maxsize)`` and a
consumer task gets them all. Prints one JSON object: per workload the median and every measured
run, in milliseconds.

Usage: python3 bench/asyncio_sync.py [JOBS] [ITEMS] [RUNS] [WARMUP]
"""

import asyncio
import json
import platform
import statistics
import sys
import time

CONCURRENCY = 100
MAXSIZES = (1, 100)


async def semaphore(n: int) -> float:
    sem = asyncio.Semaphore(CONCURRENCY)

    async def job() -> int:
        async with sem:
            await asyncio.sleep(0)
            return 1

    start = time.perf_counter()
    results = await asyncio.gather(*[job() for _ in range(n)])
    elapsed = (time.perf_counter() - start) * 1000
    if sum(results) != n:
        raise RuntimeError("asyncio_sync: wrong semaphore results")
    return elapsed


async def queue(n: int, maxsize: int) -> float:
    q: asyncio.Queue[int] = asyncio.Queue(maxsize)

    async def producer() -> None:
        for i in range(n):
            await q.put(i)

    async def consumer() -> int:
        total = 0
        for _ in range(n):
            total += await q.get()
        return total

    start = time.perf_counter()
    _, total = await asyncio.gather(producer(), consumer())
    elapsed = (time.perf_counter() - start) * 1000
    if total != n * (n - 1) // 2:
        raise RuntimeError("asyncio_sync: wrong queue results")
    return elapsed


async def sample(body, runs: int, warmup: int) -> dict[str, object]:
    for _ in range(warmup):
        await body()
    samples = [await body() for _ in range(runs)]
    return {"median_ms": statistics.median(samples), "runs_ms": samples}


async def main(jobs: int, items: int, runs: int, warmup: int) -> dict[str, object]:
    workloads: dict[str, object] = {
        "semaphore": await sample(lambda: semaphore(jobs), runs, warmup)
    }
    for maxsize in MAXSIZES:
        workloads[f"queue-{maxsize}"] = await sample(
            lambda maxsize=maxsize: queue(items, maxsize), runs, warmup
        )
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "jobs": jobs,
        "items": items,
        "workloads": workloads,
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:5]]
    jobs, items, runs, warmup = (args + [100_000, 200_000, 5, 1][len(args) :])[:4]
    print(json.dumps(asyncio.run(main(jobs, items, runs, warmup))))
