"""Duplicate merging: records sharing an arXiv id or a title key become one paper."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from pipeline.normalise.ids import paper_id_for
from pipeline.normalise.rows import Repaired, repair_record
from pipeline.records import Paper, Record, Rejected

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Draft:
    """A paper being assembled from one or more records."""

    first: Repaired
    position: int
    """Position of the first record in the input (the paper is written there)."""
    authors: tuple[str, ...]
    abstract: str | None
    arxiv_id: str | None
    urls: list[str]
    sources: list[str] = field(default_factory=list)
    published: dt.date | None = None
    categories: list[str] = field(default_factory=list)
    venue: str | None = None
    license: str | None = None

    def take_metadata(self, rec: Repaired) -> None:
        """The earliest date; every category once, in order; the first venue and licence."""
        if rec.published is not None and (self.published is None
                                          or rec.published < self.published):
            self.published = rec.published
        self.categories.extend(c for c in rec.categories if c not in self.categories)
        self.venue = self.venue or rec.venue
        self.license = self.license or rec.license

    def absorb(self, rec: Repaired, arxiv_id: str | None) -> None:
        """Fill what the first record lacked; keep every source and URL."""
        if not self.authors and rec.authors:
            self.authors = rec.authors
        if self.abstract is None and rec.abstract:
            self.abstract = rec.abstract
        if self.arxiv_id is None and arxiv_id:
            self.arxiv_id = arxiv_id
        for u in rec.urls:
            if u not in self.urls:
                self.urls.append(u)
        self.sources.append(f"{rec.source_file}:{rec.line}")
        self.take_metadata(rec)

    def to_paper(self) -> Paper:
        return Paper(
            paper_id=paper_id_for(self.arxiv_id, self.first.title),
            title=self.first.title,
            authors=self.authors,
            abstract=self.abstract,
            source_file=self.first.source_file,
            source_format=self.first.source_format,
            line=self.first.line,
            arxiv_id=self.arxiv_id,
            urls=tuple(self.urls),
            sources=tuple(self.sources),
            published=self.published,
            categories=tuple(self.categories),
            venue=self.venue,
            license=self.license,
        )


@dataclass(frozen=True, slots=True)
class NormaliseResult:
    papers: list[Paper]
    rejected: list[Rejected]
    merged: dict[str, int]
    """Per source file: records merged into a paper that another record started."""


def merge_drafts(items: Iterable[tuple[int, Repaired]]) -> tuple[list[_Draft], dict[str, int]]:
    """Merge duplicates (same arXiv id, or same title key) of positioned records.

    Records must come in a stable order (file name, line); the first record of a paper
    gives its title and source, later ones fill gaps and are counted as merged.
    """
    drafts: list[_Draft] = []
    by_key: dict[str, int] = {}
    merged: dict[str, int] = {}
    for position, rec in items:
        keys = rec.keys()
        hit = next((by_key[k] for k in keys if k in by_key), None)
        if hit is None:
            draft = _Draft(rec, position, rec.authors, rec.abstract, rec.arxiv_id, list(rec.urls))
            draft.take_metadata(rec)
            draft.sources.append(f"{rec.source_file}:{rec.line}")
            hit = len(drafts)
            drafts.append(draft)
        else:
            # An arXiv id already owned by another paper must not be adopted twice.
            arxiv_id = rec.arxiv_id
            owner = by_key.get(f"a:{arxiv_id}", hit) if arxiv_id else hit
            drafts[hit].absorb(rec, arxiv_id if owner == hit else None)
            merged[rec.source_file] = merged.get(rec.source_file, 0) + 1
        for k in keys:
            by_key.setdefault(k, hit)
    return drafts, merged


def merge_repaired(items: Iterable[Repaired | Rejected]) -> NormaliseResult:
    """Merge repaired records (rejected ones are passed through); see `merge_drafts`."""
    rejected: list[Rejected] = []

    def kept() -> Iterator[tuple[int, Repaired]]:
        for i, item in enumerate(items):
            if isinstance(item, Rejected):
                rejected.append(item)
            else:
                yield i, item

    drafts, merged = merge_drafts(kept())
    return NormaliseResult([d.to_paper() for d in drafts], rejected, merged)


def merge_records(records: Iterable[Record]) -> NormaliseResult:
    """Repair every record and merge duplicates (same arXiv id, or same title key).

    Records must come in a stable order (file name, line); the first record of a paper
    gives its title and source, later ones fill gaps and are counted as merged.
    """
    return merge_repaired(repair_record(rec) for rec in records)




def key_hash(key: str) -> int:
    """8 bytes of blake2b: a compact stand-in for a merge key (collisions only cost time)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")




def shared_key_rows(
    key_t: npt.NDArray[np.uint64], key_a: npt.NDArray[np.uint64], has_a: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Rows with a key hash that another row has too (the only rows that can merge).

    The pool of hashes is sorted in place and the repeated ones (few) are looked up by
    binary search. `np.unique` and `np.isin` held several sorted copies: 96 bytes a paper
    at the peak beyond the inputs (tracemalloc, 2.7M random keys), this 22.
    """
    # Title and arXiv keys hash different prefixes ("t:", "a:"), so one pool holds both.
    pool = np.concatenate([key_t, key_a[has_a]])
    pool.sort()
    repeated = np.unique(pool[1:][pool[1:] == pool[:-1]])
    del pool
    return _member(key_t, repeated) | (has_a & _member(key_a, repeated))


def _member(keys: npt.NDArray[np.uint64], values: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """keys ∈ values, for sorted unique `values`."""
    if values.size == 0:
        return np.zeros(keys.shape, np.bool_)
    idx = np.searchsorted(values, keys)
    idx[idx == values.size] = 0
    found: npt.NDArray[np.bool_] = values[idx] == keys
    return found


