"""Span checks: does each claim's `[start, end)` cut its evidence out of the abstract."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.validate.arrays import Mask, to_mask

_SPAN_CHUNK = 8192
"""Rows per vectorised span comparison (bounds the per-chunk byte buffers to a few MB)."""


def _string_buffers(
    arr: pa.Array | pa.ChunkedArray,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], Mask]:
    """UTF-8 offsets (n+1), bytes and validity of a string array, without copying strings."""
    flat = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    flat = flat.cast(pa.large_string())
    valid = to_mask(pc.is_valid(flat))
    buffers = flat.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[flat.offset : flat.offset + len(flat) + 1]
    if buffers[2] is None:
        return offsets, np.empty(0, dtype=np.uint8), valid
    return offsets, np.frombuffer(buffers[2], dtype=np.uint8), valid


def _span_chunk(
    texts: pa.Array | pa.ChunkedArray,
    needles: pa.Array | pa.ChunkedArray,
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
) -> Mask:
    """`needles[i] == texts[i][start[i]:end[i]]` (code point offsets), vectorised."""
    t_off, t_data, t_valid = _string_buffers(texts)
    n_off, n_data, n_valid = _string_buffers(needles)
    # Lead bytes of multi-byte UTF-8 characters are few: code point offsets become byte
    # offsets by adding the extra bytes of every multi-byte character before them.
    lead = np.flatnonzero(t_data >= 0xC0)
    extra = np.where(t_data[lead] >= 0xF0, 3, np.where(t_data[lead] >= 0xE0, 2, 1))
    extra_before = np.concatenate(([0], np.cumsum(extra)))
    lead_point = lead - extra_before[:-1]  # global code point index of each lead byte
    base = t_off[:-1] - extra_before[np.searchsorted(lead, t_off[:-1])]
    length = t_off[1:] - extra_before[np.searchsorted(lead, t_off[1:])] - base
    ok = t_valid & n_valid & (start >= 0) & (start <= end) & (end <= length)
    first_point = np.where(ok, base + start, 0)
    last_point = np.where(ok, base + end, 0)
    first = first_point + extra_before[np.searchsorted(lead_point, first_point)]
    last = last_point + extra_before[np.searchsorted(lead_point, last_point)]
    n_len = np.diff(n_off)
    ok &= (last - first) == n_len
    cand = np.flatnonzero(ok & (n_len > 0))
    if cand.size:
        lens = n_len[cand]
        seg = np.cumsum(lens) - lens
        step = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(seg, lens)
        differ = (
            t_data[np.repeat(first[cand], lens) + step]
            != n_data[np.repeat(n_off[cand], lens) + step]
        )
        ok[cand[np.logical_or.reduceat(differ, seg)]] = False
    return ok


def span_matches(
    texts: pa.ChunkedArray,
    text_row: npt.NDArray[np.int64],
    needles: pa.ChunkedArray,
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
) -> Mask:
    """Per row i: `needles[i] == texts[text_row[i]][start[i]:end[i]]` (False if text_row < 0)."""
    out = np.zeros(len(needles), dtype=np.bool_)
    for r0 in range(0, len(needles), _SPAN_CHUNK):
        r1 = min(len(needles), r0 + _SPAN_CHUNK)
        rows = text_row[r0:r1]
        taken = texts.take(pa.array(np.maximum(rows, 0), mask=rows < 0))
        out[r0:r1] = _span_chunk(taken, needles.slice(r0, r1 - r0), start[r0:r1], end[r0:r1])
    return out
