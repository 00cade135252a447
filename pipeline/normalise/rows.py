"""Row repair: one `Record` -> one `Repaired` (or `Rejected`), and back from Arrow rows."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from pipeline.errors import Reason
from pipeline.normalise.ids import clean_arxiv_id, paper_id_for, title_key
from pipeline.normalise.rules import normalise_author, normalise_text, normalise_title
from pipeline.records import Paper, Record, Rejected

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Repaired:
    """One record after text repair: what merging and the `papers` row need from it."""

    source_file: str
    source_format: str
    line: int
    title: str
    """Repaired, never empty."""
    authors: tuple[str, ...]
    abstract: str | None
    arxiv_id: str | None
    """Cleaned (`clean_arxiv_id`)."""
    urls: tuple[str, ...]
    published: dt.date | None = None
    categories: tuple[str, ...] = ()
    venue: str | None = None
    license: str | None = None

    def keys(self) -> list[str]:
        """What another record must share to be the same paper: title key, arXiv id."""
        keys = [f"t:{title_key(self.title)}"]
        return keys + [f"a:{self.arxiv_id}"] if self.arxiv_id else keys

    def to_paper(self) -> Paper:
        """The paper this record is when no other record merges with it."""
        return Paper(
            paper_id=paper_id_for(self.arxiv_id, self.title),
            title=self.title,
            authors=self.authors,
            abstract=self.abstract,
            source_file=self.source_file,
            source_format=self.source_format,
            line=self.line,
            arxiv_id=self.arxiv_id,
            urls=self.urls,
            sources=(f"{self.source_file}:{self.line}",),
            published=self.published,
            categories=self.categories,
            venue=self.venue,
            license=self.license,
        )


def repair_record(rec: Record) -> Repaired | Rejected:
    """Repair one record's text (pure); a record without a title after repair is rejected."""
    title = normalise_title(rec.title or "")
    if not title:
        return Rejected(
            stage="normalise",
            source_file=rec.source_file,
            line=rec.line,
            reason=Reason.NO_TITLE.value,
            detail=f"{rec.source_file}:{rec.line}: record has no title after repair",
            record=rec.raw or "{}",
        )
    return Repaired(
        source_file=rec.source_file,
        source_format=rec.source_format,
        line=rec.line,
        title=title,
        authors=tuple(a for a in (normalise_author(x) for x in rec.authors) if a),
        abstract=(normalise_text(rec.abstract) if rec.abstract else None) or None,
        arxiv_id=clean_arxiv_id(rec.arxiv_id),
        urls=tuple(rec.urls),
        published=dt.date.fromisoformat(rec.published) if rec.published else None,
        categories=tuple(rec.categories),
        venue=rec.venue,
        license=rec.license,
    )


def records_from_table(table: pa.Table | pa.RecordBatch) -> Iterator[Record]:
    batches = table.to_batches(max_chunksize=10_000) if isinstance(table, pa.Table) else [table]
    for batch in batches:
        for row in batch.to_pylist():
            yield Record(
                source_file=row["source_file"],
                line=row["line"],
                source_format=row["source_format"],
                title=row["title"],
                authors=tuple(row["authors"] or ()),
                abstract=row["abstract"],
                arxiv_id=row["arxiv_id"],
                urls=tuple(row["urls"] or ()),
                raw=row.get("raw") or "",
                published=row.get("published"),
                categories=tuple(row.get("categories") or ()),
                venue=row.get("venue"),
                license=row.get("license"),
            )


def repaired_from_row(row: dict[str, object]) -> Repaired:
    return Repaired(
        source_file=str(row["source_file"]),
        source_format=str(row["source_format"]),
        line=int(row["line"]),  # type: ignore[call-overload]
        title=str(row["title"]),
        authors=tuple(row["authors"] or ()),  # type: ignore[arg-type]
        abstract=row["abstract"],  # type: ignore[arg-type]
        arxiv_id=row["arxiv_id"],  # type: ignore[arg-type]
        urls=tuple(row["urls"] or ()),  # type: ignore[arg-type]
        published=row.get("published"),  # type: ignore[arg-type]
        categories=tuple(row.get("categories") or ()),  # type: ignore[arg-type]
        venue=row.get("venue"),  # type: ignore[arg-type]
        license=row.get("license"),  # type: ignore[arg-type]
    )


