"""Reader for the Kaggle "arXiv metadata OAI snapshot" JSON lines (`arxiv_jsonl`).

One JSON object per line with `id, submitter, authors, title, abstract, categories,
authors_parsed, ...`. Authors come from `authors_parsed` (`[last, first, suffix]` ->
"First Last Suffix") when present, else from splitting the `authors` string ("A, B and C").
Title and abstract are kept as read (hard-wrapped, leading spaces). `Record.line` is the
1-based line number; a line that is not one complete JSON object (e.g. truncated) yields
`Rejected` PC101 and reading goes on. Decoding follows `common` (invalid UTF-8 replaced).

`read_block` is `read` for a block of whole lines, column by column, for ingest's parallel
blocks: it makes the same rows without a `Record` each; `read` stays the reference.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import Reason
from pipeline.ingest.common import (
    BOM,
    Source,
    authors_from,
    clean,
    first_json_line,
    head_text,
    iter_lines,
    json_keys,
    json_text,
    loads_json,
    looks_json_lines,
    reject,
    str_or_none,
)
from pipeline.ingest.metadata import Metadata, arxiv_metadata
from pipeline.records import Record, Rejected

FORMAT = "arxiv_jsonl"

_REQUIRED_KEYS = frozenset({"id", "title", "authors"})
_SNAPSHOT_KEYS = frozenset(
    {"submitter", "authors_parsed", "categories", "journal-ref", "update_date", "versions",
     "report-no"}
)


def sniff(head: bytes) -> bool:
    """JSON lines whose first object has the snapshot's keys (id, title, authors, ...)."""
    if b"\x00" in head:
        return False
    text = head_text(head)
    if not looks_json_lines(text):
        return False
    first = first_json_line(text)
    keys = set(first) if isinstance(first, dict) else json_keys(text)
    return _REQUIRED_KEYS <= keys and len(_SNAPSHOT_KEYS & keys) >= 2


def parse_authors(record: dict[str, Any]) -> tuple[str, ...]:
    """"First Last" names from `authors_parsed`, else the split `authors` string."""
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names: list[str] = []
        for item in parsed:
            if not isinstance(item, list):
                continue
            if len(item) == 3 and all(type(p) is str for p in item):
                # The snapshot's shape, [last, first, suffix]: no list building.
                last, first, suffix = item[0].strip(), item[1].strip(), item[2].strip()
            else:
                parts = [p.strip() for p in item if isinstance(p, str)]
                last, first, suffix = (parts + ["", "", ""])[:3]
            name = " ".join(p for p in (first, last, suffix) if p)
            if name:
                names.append(clean(name))
        if names:
            return tuple(names)
    return authors_from(record.get("authors"))


def record_to_item(value: Any, name: str, line: int, text: str | None = None) -> Record | Rejected:
    """One parsed snapshot line as a `Record` (or `Rejected` PC106/PC105); `text`, the line
    it was parsed from, is kept as the record's JSON text, verbatim (re-encoding the object
    cost a fifth of ingest)."""
    if not isinstance(value, dict):
        return reject(name, line, Reason.BAD_RECORD,
                      f"expected a JSON object, found {type(value).__name__}", {"value": value})
    title = str_or_none(value.get("title"))
    if title is None:
        return reject(name, line, Reason.NO_TITLE, "record has no title", value)
    meta = arxiv_metadata(value)
    return Record(
        source_file=name,
        line=line,
        source_format=FORMAT,
        title=title,
        authors=parse_authors(value),
        abstract=str_or_none(value.get("abstract")),
        arxiv_id=str_or_none(value.get("id")),
        raw=text if text is not None else json_text(value),
        published=meta.published,
        categories=meta.categories,
        venue=meta.venue,
        license=meta.license,
    )


def read(fh: Source, name: str) -> Iterator[Record | Rejected]:
    """Stream the snapshot, one item per non-blank line."""
    for lineno, text in iter_lines(fh):
        if not text.strip():
            continue
        value, err, _ = loads_json(text)
        if err is not None:
            yield reject(name, lineno, Reason.INVALID_JSON,
                         f"{err}; the line is truncated or not one JSON object", {"line": text})
            continue
        yield record_to_item(value, name, lineno, text.strip())


@dataclass(slots=True)
class Block:
    """A block of snapshot lines read column by column: the `records` rows `read` yields for
    it (same values, same order) without a `Record` per row, and its rejections."""

    line: list[int] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    """Every record's authors, one after the other."""
    author_ends: list[int] = field(default_factory=lambda: [0])
    """Offsets into `authors`: record i's names are `authors[author_ends[i]:author_ends[i + 1]]`."""
    abstract: list[str | None] = field(default_factory=list)
    arxiv_id: list[str | None] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    published: list[str | None] = field(default_factory=list)
    categories: list[list[str]] = field(default_factory=list)
    venue: list[str | None] = field(default_factory=list)
    license: list[str | None] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def add(self, rec: Record) -> None:
        """Append a record the reference path (`record_to_item`) made."""
        self.line.append(rec.line)
        self.title.append(rec.title or "")
        self.authors.extend(rec.authors)
        self.author_ends.append(len(self.authors))
        self.abstract.append(rec.abstract)
        self.arxiv_id.append(rec.arxiv_id)
        self.raw.append(rec.raw)
        self.add_metadata(Metadata(rec.published, rec.categories, rec.venue, rec.license))

    def add_metadata(self, meta: Metadata) -> None:
        self.published.append(meta.published)
        self.categories.append(list(meta.categories))
        self.venue.append(meta.venue)
        self.license.append(meta.license)


_raw_decode = json.JSONDecoder().raw_decode
"""`json.loads` without its layers: a line that is its value and nothing else gets the same
value from it (`json.loads` skips whitespace, then calls this); any other goes to `loads_json`."""


def _text(value: Any) -> str | None:
    """`str_or_none`, without a call or a stripped copy in the common case (`isascii` is O(1)
    and an ASCII string has no lone surrogate for `clean` to replace)."""
    if type(value) is str and value and not value.isspace():
        return value if value.isascii() else clean(value)
    return None


def _snapshot_authors(parsed: Any) -> list[str] | None:
    """`parse_authors` for the snapshot's own shape (a non-empty list of `[last, first,
    suffix]` strings giving at least one name); None for any other shape."""
    if type(parsed) is not list or not parsed:
        return None
    names: list[str] = []
    for item in parsed:
        if type(item) is not list or len(item) != 3:
            return None
        last, first, suffix = item
        if type(last) is not str or type(first) is not str or type(suffix) is not str:
            return None
        last, first, suffix = last.strip(), first.strip(), suffix.strip()
        if suffix:
            name = " ".join(p for p in (first, last, suffix) if p)
        elif first and last:
            name = first + " " + last
        else:
            name = first or last
        if name:
            names.append(name if name.isascii() else clean(name))
    return names or None


def read_block(data: bytes, name: str, first_line: int) -> Block:
    """`read` of a block of whole lines starting at line `first_line` of file `name`, as
    columns: what `read` yields for the file's lines, line numbers the file's.

    The common record (an object with a title and snapshot-shaped `authors_parsed`) is built
    here; every other line goes through `record_to_item`, the reference. Decoding the block
    at once equals decoding it line by line: a newline byte always ends an invalid sequence.
    """
    if first_line == 1 and data.startswith(BOM):
        data = data[len(BOM) :]
    lines = data.decode("utf-8", errors="replace").split("\n")
    if not lines[-1]:
        lines.pop()  # the block ends with a line end (or is empty)
    out = Block()
    add_line, add_title, add_abstract = out.line.append, out.title.append, out.abstract.append
    add_id, add_raw, add_end = out.arxiv_id.append, out.raw.append, out.author_ends.append
    authors = out.authors
    for lineno, text in enumerate(lines, first_line):
        # No `clean` of the line: text decoded from bytes has no lone surrogates.
        if text.endswith("\r"):
            text = text[:-1]
        raw = text.strip()
        if not raw:
            continue
        value: Any = None
        try:
            value, end = _raw_decode(text)
        except (ValueError, RecursionError):
            end = -1
        if end != len(text):
            value, err, _ = loads_json(text)
            if err is not None:
                out.rejected.append(reject(
                    name, lineno, Reason.INVALID_JSON,
                    f"{err}; the line is truncated or not one JSON object", {"line": text}))
                continue
        title = _text(value.get("title")) if type(value) is dict else None
        names = _snapshot_authors(value.get("authors_parsed")) if title is not None else None
        if title is None or names is None:
            item = record_to_item(value, name, lineno, raw)
            if isinstance(item, Rejected):
                out.rejected.append(item)
            else:
                out.add(item)
            continue
        add_line(lineno)
        add_title(title)
        authors.extend(names)
        add_end(len(authors))
        add_abstract(_text(value.get("abstract")))
        add_id(_text(value.get("id")))
        add_raw(raw)
        out.add_metadata(arxiv_metadata(value))
    return out
