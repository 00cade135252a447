"""The engine seam: map a pure function over batches, locally or on Dask.

Output order always follows input order, so every engine and worker count yields the
same rows; stages write in that order (or sort on stable keys), so every engine and
worker count gives byte-identical files.

The local engine is a process pool that lives as long as the process (every stage reuses
it). Its workers start from a fork server, not as forks of the stage process: a fork of a
process holding a big table would pin (and count) its pages in every worker.
"""

from __future__ import annotations

import atexit
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_POOLS: dict[int, ProcessPoolExecutor] = {}


def local_pool(workers: int) -> ProcessPoolExecutor:
    """The process pool of `workers` processes, started once per process."""
    pool = _POOLS.get(workers)
    if pool is None:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        _POOLS[workers] = pool
    return pool


def shutdown() -> None:
    """Stop the local pools (at exit, or in tests)."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def map_batches(
    fn: Callable[[T], R],
    batches: Iterable[T],
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
) -> Iterator[R]:
    """Apply `fn` to every batch, yielding results in input order.

    `fn` must be a module-level function (it is pickled by reference). At most two batches
    per worker are in flight, so memory stays flat on any corpus size.
    """
    if engine == "dask" or scheduler:
        from pipeline.engine.dask_engine import dask_map

        yield from dask_map(fn, batches, workers=workers, scheduler=scheduler)
        return
    if workers <= 1:
        for b in batches:
            yield fn(b)
        return
    pool = local_pool(workers)
    pending: deque[Future[R]] = deque()
    try:
        for b in batches:
            pending.append(pool.submit(fn, b))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for fut in pending:
            fut.cancel()
