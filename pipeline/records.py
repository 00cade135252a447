"""The rows that flow between stages.

Every stage's Parquet output is built from these dataclasses with the Arrow schema of
`schemas/<table>.json`, never with pandas type inference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

LinkKind = Literal["code", "project", "other"]
ResultKind = Literal["absolute", "relative", "count"]
Role = Literal["proposed", "baseline", "prior_sota"]


@dataclass(frozen=True, slots=True)
class Record:
    """One paper-like record as a reader found it, before any repair."""

    source_file: str
    """File name relative to the raw folder."""
    line: int
    """1-based line number (text, JSON lines, CSV) or record index (JSON arrays)."""
    source_format: str
    """Format id of the reader that produced the record (e.g. `arxiv_jsonl`)."""
    title: str | None
    authors: tuple[str, ...] = ()
    abstract: str | None = None
    arxiv_id: str | None = None
    """arXiv identifier when the source states one (e.g. `2410.12345`)."""
    urls: tuple[str, ...] = ()
    """URLs the source gives outside the abstract (code repository, project page)."""
    raw: str = ""
    """The source record as JSON text, kept for quarantine and provenance."""
    published: str | None = None
    """ISO date (`YYYY-MM-DD`) of first publication or submission, when the source gives it."""
    categories: tuple[str, ...] = ()
    """arXiv categories, or the source's tags (Papers with Code tasks, a table's tags)."""
    venue: str | None = None
    license: str | None = None
    """The licence the source states for the record's text (e.g. arXiv's licence URL)."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record or claim that a stage refused; it ends up in `quarantine`."""

    stage: str
    source_file: str
    line: int | None
    reason: str
    """Stable reason code, e.g. `PC101-invalid-json` (see README)."""
    detail: str
    """Human message naming the file and the line/record."""
    record: str
    """The rejected record as JSON text."""


@dataclass(frozen=True, slots=True)
class Paper:
    """A normalised, de-duplicated paper."""

    paper_id: str
    title: str
    authors: tuple[str, ...]
    abstract: str | None
    source_file: str
    source_format: str
    line: int
    arxiv_id: str | None = None
    urls: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)
    """Every `file:line` merged into this paper, first one first."""
    published: dt.date | None = None
    categories: tuple[str, ...] = ()
    venue: str | None = None
    license: str | None = None


@dataclass(frozen=True, slots=True)
class CodeLink:
    paper_id: str
    url: str
    kind: LinkKind
    mention: str
    """Surface text as found (before normalisation)."""


@dataclass(frozen=True, slots=True)
class DatasetMention:
    paper_id: str
    dataset: str
    mention: str
    start: int
    end: int
    in_gazetteer: bool


@dataclass(frozen=True, slots=True)
class Resolution:
    paper_id: str
    pixels: int
    mention: str
    dataset: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Result:
    paper_id: str
    metric: str
    value: float
    unit: str | None
    kind: ResultKind
    dataset: str | None
    resolution: int | None
    role: Role
    steps: int | None
    setting: str | None
    evidence: str
    start: int
    end: int
    model: str | None = None
    """Compared model/architecture the number belongs to, when the text names one."""
    task: str | None = None
    """Canonical task of (dataset, metric) in the task taxonomy (`extract.tasks`)."""


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extract found in one paper."""

    code_links: tuple[CodeLink, ...] = ()
    dataset_mentions: tuple[DatasetMention, ...] = ()
    resolutions: tuple[Resolution, ...] = ()
    results: tuple[Result, ...] = ()


@dataclass(frozen=True, slots=True)
class StageResult:
    """What a stage's `run` did, for the one-line summary and the manifest."""

    stage: str
    counts: dict[str, int]
    outputs: tuple[str, ...] = ()
    """Files written in the stage's work folder."""

    def summary(self) -> str:
        parts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        return f"{self.stage}: {parts}"
