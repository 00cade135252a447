"""Reader for the Kaggle "arXiv metadata OAI snapshot" JSON lines (`arxiv_jsonl`).

One JSON object per line with `id, submitter, authors, title, abstract, categories,
authors_parsed, ...`. Authors come from `authors_parsed` (`[last, first, suffix]` ->
"First Last Suffix") when present, else from splitting the `authors` string ("A, B and C").
Title and abstract are kept as read (hard-wrapped, leading spaces). `Record.line` is the
1-based line number; a line that is not one complete JSON object (e.g. truncated) yields
`Rejected` PC101 and reading goes on. Decoding follows `_common` (invalid UTF-8 replaced).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.errors import Reason
from pipeline.ingest._common import (
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
    return Record(
        source_file=name,
        line=line,
        source_format=FORMAT,
        title=title,
        authors=parse_authors(value),
        abstract=str_or_none(value.get("abstract")),
        arxiv_id=str_or_none(value.get("id")),
        raw=text if text is not None else json_text(value),
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
