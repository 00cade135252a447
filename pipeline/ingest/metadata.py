"""Paper metadata the sources carry: first publication date, categories, venue, licence.

Pure functions over one source record (a parsed JSON object or a table row). Each format
names these fields its own way: arXiv `versions[0].created` (RFC 2822) and `update_date`,
`categories` ("cs.LG stat.ML"), `license` (a URL), `journal-ref`; Hugging Face `publishedAt`;
Papers with Code `published`, `conference`/`proceeding`, `tasks`; a table's columns by common
names (`COLUMN_NAMES`). A date is returned as ISO `YYYY-MM-DD`, only when the source gives a
whole date (a bare year is not a date).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import regex

from pipeline.ingest.common import str_or_none

_ISO_DATE = regex.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)")
_RFC_DATE = regex.compile(r"^\s*(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) ")
"""arXiv's `versions[].created` ("Mon, 2 Apr 2007 19:18:42 GMT"): read without `email.utils`
(a quarter of the time; 2.7M of them in a full snapshot)."""
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_SPLIT = regex.compile(r"[\s,;|]+")

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "published": ("published", "publication_date", "published_date", "publishedat", "date",
                  "submitted", "created", "first_published"),
    "categories": ("categories", "category", "tags", "subjects", "tasks"),
    "venue": ("venue", "conference", "proceeding", "proceedings", "journal", "booktitle",
              "journal_ref"),
    "license": ("license", "licence"),
}
"""Table columns read for each field, compared after case-folding and `-`/space -> `_`."""


@dataclass(frozen=True, slots=True)
class Metadata:
    published: str | None = None
    """ISO date of first publication or submission."""
    categories: tuple[str, ...] = ()
    venue: str | None = None
    license: str | None = None


def iso_date(value: Any) -> str | None:
    """`YYYY-MM-DD` of an ISO date/datetime or an RFC 2822 date; None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    m = _ISO_DATE.match(value)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    m = _RFC_DATE.match(value)
    if m and m[2] in _MONTHS:
        try:
            return dt.date(int(m[3]), _MONTHS[m[2]], int(m[1])).isoformat()
        except ValueError:
            return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed.date().isoformat()


def text_or_none(value: Any) -> str | None:
    """`str_or_none`, whitespace collapsed (venue and licence are one-line fields)."""
    text = str_or_none(value)
    return " ".join(text.split()) if text else None


def category_list(value: Any) -> tuple[str, ...]:
    """Categories from a string ("cs.LG stat.ML", "a, b") or a list of strings, in order,
    without repeats."""
    if isinstance(value, str):
        items: Iterable[Any] = _SPLIT.split(value)
    elif isinstance(value, list | tuple):
        items = value
    else:
        return ()
    out = (" ".join(v.split()) for v in items if isinstance(v, str))
    return tuple(dict.fromkeys(v for v in out if v))


def arxiv_metadata(record: Mapping[str, Any]) -> Metadata:
    """An arXiv snapshot object: v1's creation date (else `update_date`), categories,
    `journal-ref` as venue, `license`."""
    published = None
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        published = iso_date(versions[0].get("created"))
    return Metadata(
        published=published or iso_date(record.get("update_date")),
        categories=category_list(record.get("categories")),
        venue=text_or_none(record.get("journal-ref")),
        license=text_or_none(record.get("license")),
    )


def hf_metadata(item: Mapping[str, Any], paper: Mapping[str, Any]) -> Metadata:
    """A Hugging Face Daily Papers item: the paper's `publishedAt` (else the item's)."""
    return Metadata(published=iso_date(paper.get("publishedAt")) or iso_date(
        item.get("publishedAt")))


def pwc_metadata(record: Mapping[str, Any]) -> Metadata:
    """A Papers with Code paper: `published`, `conference`/`proceeding`, `tasks`."""
    return Metadata(
        published=iso_date(record.get("published") or record.get("paper_date")),
        categories=category_list(record.get("tasks")),
        venue=text_or_none(record.get("conference")) or text_or_none(record.get("proceeding")),
    )


def _column_key(name: str) -> str:
    return name.strip().casefold().replace("-", "_").replace(" ", "_")


def table_metadata(row: Mapping[str, Any]) -> Metadata:
    """A table row (CSV/JSON/Parquet): the first non-empty column of each field's names."""
    by_key = {_column_key(str(k)): v for k, v in row.items()}

    def first(field: str) -> Any:
        for name in COLUMN_NAMES[field]:
            value = by_key.get(name)
            if value not in (None, "", [], ()):
                return value
        return None

    published = first("published")
    if isinstance(published, dt.date | dt.datetime):
        published = published.isoformat()
    return Metadata(
        published=iso_date(published),
        categories=category_list(first("categories")),
        venue=text_or_none(first("venue")),
        license=text_or_none(first("license")),
    )
