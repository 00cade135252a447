"""NumPy views of Arrow columns shared by the checks: boolean masks and row numbers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Mask = npt.NDArray[np.bool_]


Rows = npt.NDArray[np.int64]


def to_mask(arr: pa.Array | pa.ChunkedArray) -> Mask:
    """Boolean Arrow data as a numpy mask, null as False."""
    filled = pc.fill_null(arr, False)
    if isinstance(filled, pa.Array):
        return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=np.bool_)
    return np.asarray(filled.to_numpy(), dtype=np.bool_)


def to_ints(arr: pa.Array | pa.ChunkedArray, null: int) -> npt.NDArray[np.int64]:
    filled = pc.fill_null(arr, null)
    if isinstance(filled, pa.Array):
        return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.asarray(filled.to_numpy(), dtype=np.int64)
