"""Progress bars on a terminal only (tqdm), silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, enabled: bool, **kw: object) -> Iterator[T]:
    if not enabled or not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, leave=False, **kw)
