"""Dask distributed behind the engine seam: the same `map_batches`, on a cluster.

`--engine dask` starts a local cluster (one single-threaded worker process per
`--workers`); `--scheduler tcp://HOST:PORT` connects to an existing one. Either lives as
long as the process, so every stage reuses it. Results come back in input order, so the
release is byte-identical to the local engine's.
"""

from __future__ import annotations

import atexit
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)

_CLIENTS: dict[tuple[int, str | None], tuple[Any, Any]] = {}


def dask_client(workers: int = 2, scheduler: str | None = None) -> Any:
    """A client of the cluster at `scheduler`, or of a local cluster started once."""
    key = (workers, scheduler)
    if key not in _CLIENTS:
        import distributed

        Client = cast(Any, distributed.Client)
        LocalCluster = cast(Any, distributed.LocalCluster)
        cluster: Any = None
        if scheduler:
            client = Client(scheduler, set_as_default=False)
        else:
            cluster = LocalCluster(
                n_workers=max(1, workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster, set_as_default=False)
        _CLIENTS[key] = (client, cluster)
        log.debug("dask: %s", scheduler or "local cluster")
    return _CLIENTS[key][0]


def close_clients() -> None:
    """Close every client (and the local clusters this process started)."""
    while _CLIENTS:
        _, (client, cluster) = _CLIENTS.popitem()
        client.close()
        if cluster is not None:
            cluster.close()


atexit.register(close_clients)


def dask_map(
    fn: Callable[[T], R], batches: Iterable[T], workers: int = 2, scheduler: str | None = None
) -> Iterator[R]:
    client = dask_client(workers, scheduler)
    n = max(1, len(client.scheduler_info().get("workers", {})) or workers)
    inflight: deque[Any] = deque()
    try:
        for b in batches:
            inflight.append(client.submit(fn, b, pure=False))
            # Bounded look-ahead keeps memory flat on any corpus size.
            if len(inflight) >= 2 * n:
                yield inflight.popleft().result()
        while inflight:
            yield inflight.popleft().result()
    finally:
        for fut in inflight:
            fut.cancel()
