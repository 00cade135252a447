"""Content-addressed caches of the work folder: what a stage can reuse from an earlier run.

Every key is a sha256 over the content it depends on plus `code_version()` (the pipeline's
code, gazetteers and schemas), so an edit anywhere that can change output invalidates it.
Three levels use these keys: whole stages (`runner`), ingest parts (one per input file) and
extract batches (one per batch of a source file's papers).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pyarrow as pa

from pipeline.config import ROOT
from pipeline.io import sha256_file

CODE_FOLDERS = ("pipeline", "gazetteers", "schemas")


@cache
def code_version() -> str:
    """sha256 over the pipeline's code, gazetteers and schemas (what can change output)."""
    h = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(ROOT).as_posix().encode() + b"\0")
                h.update(sha256_file(p).encode())
    return h.hexdigest()


def key_of(*parts: object) -> str:
    """A cache key: sha256 of the JSON of `parts` and the code version."""
    doc = json.dumps([code_version(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(doc.encode()).hexdigest()


def batch_digest(batch: pa.RecordBatch | pa.Table) -> str:
    """sha256 of a batch's content (Arrow IPC of its schema and values, chunking ignored)."""
    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        for b in table.combine_chunks().to_batches():
            writer.write_batch(b)
    return hashlib.sha256(sink.getvalue()).hexdigest()


def keep_only(folder: Path, names: Iterable[str]) -> int:
    """Delete the entries of `folder` not in `names` (a cache's garbage); return how many."""
    keep = set(names)
    removed = 0
    if folder.is_dir():
        for p in folder.iterdir():
            if p.name not in keep:
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
                removed += 1
    return removed


def publish_dir_atomically(tmp: Path, dest: Path) -> None:
    """Move a finished cache entry into place; a concurrent identical entry wins."""
    try:
        os.replace(tmp, dest)
    except OSError:
        # `dest` exists (non-empty folder): the same content is already cached.
        shutil.rmtree(tmp, ignore_errors=True)
