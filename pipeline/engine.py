"""The engine seam: map a pure function over batches, locally or on Dask.

Output order always follows input order, so every engine and worker count yields the
same rows; stages sort on stable keys before writing anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_batches(
    fn: Callable[[T], R],
    batches: Iterable[T],
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
) -> Iterator[R]:
    """Apply `fn` to every batch, yielding results in input order."""
    if engine == "dask" or scheduler:
        from pipeline.dask_engine import dask_map

        yield from dask_map(fn, batches, workers=workers, scheduler=scheduler)
        return
    if workers <= 1:
        for b in batches:
            yield fn(b)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Bounded look-ahead: at most 2 batches per worker in flight, so memory stays flat.
        pending: list = []  # type: ignore[type-arg]
        for b in batches:
            pending.append(pool.submit(fn, b))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()
