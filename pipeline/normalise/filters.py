"""Record filters: `--categories` keeps the records of the arXiv categories asked for.

A wanted entry matches a category equal to it or below it (`cs` and `cs.` match `cs.LG`;
`cs.LG` matches only `cs.LG`). A record whose source gives no categories (a listing page, a
Hugging Face day) is kept: nothing says it is out of scope. What is filtered out is counted
per source file (`filtered.json`) and shown in the manifest's accounting.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa


def parse_categories(text: str) -> tuple[str, ...]:
    """`"cs.LG, cs.CV,stat"` -> ("cs.LG", "cs.CV", "stat"); `*` and a trailing `.` dropped."""
    out = (c.strip().rstrip("*").rstrip(".") for c in text.split(","))
    return tuple(dict.fromkeys(c for c in out if c))


def category_matches(category: str, wanted: Sequence[str]) -> bool:
    return any(category == w or category.startswith(w + ".") for w in wanted)


def keep_mask(categories: pa.Array | pa.ChunkedArray, wanted: Sequence[str]) -> npt.NDArray[
        np.bool_]:
    """Per row of a `list<string>` column: keep it (no categories, or one that matches)."""
    rows = categories.to_pylist()
    if not wanted:
        return np.ones(len(rows), np.bool_)
    return np.array(
        [not cats or any(category_matches(c, wanted) for c in cats) for cats in rows], np.bool_
    )
