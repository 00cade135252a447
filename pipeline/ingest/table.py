"""Reader for tabular exports (`table`): CSV/TSV with a header, JSON lines or a JSON array of
flat objects, and Parquet.

Columns are matched case-insensitively (spaces, dots and hyphens read as `_`) through
`COLUMN_ALIASES`; every other column is kept in `raw` and otherwise ignored. `authors` may be a
list (of names or `{name}` objects) or one string ("A, B and C" or "A; B"). `Record.line` is
the physical line where the row starts (CSV, JSON lines) or the 1-based row index (JSON
arrays, Parquet). Decoding follows `common` (invalid UTF-8 replaced by U+FFFD, row kept).
"""

from __future__ import annotations

import csv
import itertools
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import regex

from pipeline.errors import Reason
from pipeline.ingest.common import (
    Source,
    arxiv_id_from,
    authors_from,
    error_excerpt,
    head_text,
    iter_lines,
    json_keys,
    json_start,
    json_text,
    loads_json,
    looks_json_lines,
    read_text,
    reject,
    str_or_none,
    urls_from,
)
from pipeline.ingest.metadata import table_metadata
from pipeline.records import Record, Rejected

log = logging.getLogger(__name__)

FORMAT = "table"

PARQUET_MAGIC = b"PAR1"
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper_title", "papertitle", "paper_name", "title_of_paper"),
    "abstract": ("abstract", "summary", "paper_abstract", "abstract_text"),
    "authors": ("authors", "author", "author_names", "author_list", "authors_list", "creators"),
    "arxiv_id": ("arxiv_id", "arxivid", "arxiv", "arxiv_identifier", "eprint"),
    "urls": (
        "code_url", "code_urls", "code", "code_link", "code_links", "github", "github_url",
        "githubrepo", "github_repo", "repo", "repo_url", "repository", "project_page",
        "project_url", "homepage", "url", "urls", "link", "links", "paper_url", "url_abs",
        "arxiv_url", "arxivurl",
    ),
}
"""Our field -> accepted column names (normalised), first match wins (all for `urls`)."""
_TITLE_COLUMNS = frozenset(COLUMN_ALIASES["title"])
_DELIMITERS = (",", "\t", ";", "|")
_ARRAY_KEYS = ("records", "rows", "data", "items", "papers", "results")
_BATCH_ROWS = 1024
_SEP = regex.compile(r"[\s.\-]+")
_URL_SPLIT = regex.compile(r"[\s;|,]+")

# Huge cells must not stop the reader (csv's default cap is 128 KiB per field).
csv.field_size_limit(2**31 - 1)


def normalise_column(name: str) -> str:
    """Column name as matched against the aliases: casefolded, separators to `_`."""
    return _SEP.sub("_", str(name).strip().casefold())


def csv_delimiter(header: str) -> str | None:
    """The delimiter for which the header line has a title-like column, else None."""
    best: tuple[int, str] | None = None
    for delim in _DELIMITERS:
        try:
            cells = next(csv.reader([header], delimiter=delim), [])
        except csv.Error:
            continue
        if len(cells) >= 2 and any(normalise_column(c) in _TITLE_COLUMNS for c in cells):
            if best is None or len(cells) > best[0]:
                best = (len(cells), delim)
    return best[1] if best else None


def sniff_csv_text(text: str) -> bool:
    """The first non-blank line is a delimited header with a title-like column."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return json_start(first) not in ("{", "[") and csv_delimiter(first) is not None


def _has_title_key(keys: Iterable[str]) -> bool:
    return any(normalise_column(k) in _TITLE_COLUMNS for k in keys)


def sniff(head: bytes) -> bool:
    """Parquet magic, flat JSON objects with a title key, or CSV with a title column."""
    if head.startswith(PARQUET_MAGIC):
        return True
    if b"\x00" in head:
        # NUL bytes are never JSON, and a CSV may carry one in a bad row (the reader
        # quarantines that row): judge the head without them, as a CSV only.
        return sniff_csv_text(head_text(head.replace(b"\x00", b"")))
    text = head_text(head)
    start = json_start(text)
    if start == "{":
        if not looks_json_lines(text):
            return False
        # Any record of the head may show the title key: a first record without a title
        # is a bad record of a good file, not a different format.
        return _has_title_key(json_keys(text))
    if start == "[":
        return regex.match(r"\s*\[\s*\{", text) is not None and _has_title_key(json_keys(text))
    return sniff_csv_text(text)


def _pick(row: dict[str, Any], field: str) -> Any:
    for alias in COLUMN_ALIASES[field]:
        if alias in row:
            return row[alias]
    return None


def _urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [u for u in _URL_SPLIT.split(value) if u]
    return list(urls_from(value))


def row_to_item(row: dict[str, Any], name: str, line: int) -> Record | Rejected:
    """One table row (column -> value) as a `Record`, or `Rejected` PC105 without a title."""
    by_alias = {normalise_column(k): v for k, v in reversed(list(row.items()))}
    title = str_or_none(_pick(by_alias, "title"))
    if title is None:
        return reject(name, line, Reason.NO_TITLE,
                      "row has no title (expected a column named like "
                      f"{', '.join(COLUMN_ALIASES['title'][:2])})", row)
    urls: list[str] = []
    for alias in COLUMN_ALIASES["urls"]:
        if alias in by_alias:
            urls.extend(u for u in _urls(by_alias[alias]) if u not in urls)
    arxiv_id = arxiv_id_from(_pick(by_alias, "arxiv_id"), urls)
    meta = table_metadata(row)
    return Record(
        source_file=name,
        line=line,
        source_format=FORMAT,
        title=title,
        authors=authors_from(_pick(by_alias, "authors")),
        abstract=str_or_none(_pick(by_alias, "abstract")),
        arxiv_id=arxiv_id,
        urls=tuple(urls_from(urls)),
        raw=json_text(row),
        published=meta.published,
        categories=meta.categories,
        venue=meta.venue,
        license=meta.license,
    )


def _dict_item(value: Any, name: str, line: int) -> Record | Rejected:
    if isinstance(value, dict):
        return row_to_item(value, name, line)
    return reject(name, line, Reason.BAD_RECORD,
                  f"expected a JSON object, found {type(value).__name__}", {"value": value})


class _Prefixed:
    """A stream with bytes/text already read put back in front."""

    def __init__(self, prefix: Any, fh: Source) -> None:
        self._prefix = prefix
        self._fh = fh

    def read(self, size: int = -1, /) -> Any:
        prefix, self._prefix = self._prefix, self._prefix[:0]
        return prefix + self._fh.read(size)

    def readline(self, size: int = -1, /) -> Any:
        if self._prefix:
            nl = b"\n" if isinstance(self._prefix, bytes) else "\n"
            head, sep, rest = self._prefix.partition(nl)
            if sep:
                self._prefix = rest
                return head + sep
            self._prefix = self._prefix[:0]
            return head + self._fh.readline()
        return self._fh.readline()


def _read_parquet(fh: Any, first: bytes, name: str) -> Iterator[Record | Rejected]:
    index = 0
    try:
        if callable(getattr(fh, "seekable", None)) and fh.seekable():
            fh.seek(0)
            source: Any = fh
        else:
            source = pa.BufferReader(first + fh.read())
        pfile = pq.ParquetFile(source, pre_buffer=False)  # see io.iter_batches
        for batch in pfile.iter_batches(batch_size=_BATCH_ROWS):
            for row in batch.to_pylist():
                index += 1
                yield row_to_item(row, name, index)
    except (pa.ArrowException, OSError, ValueError, TypeError) as e:
        line = index + 1 if index else None
        yield reject(name, line, Reason.UNREADABLE,
                     f"cannot read Parquet after {index} rows: {e}"[:500], {"rows_read": index})


def _read_json_document(text: str, name: str) -> Iterator[Record | Rejected]:
    value, err, line = loads_json(text)
    if err is not None:
        yield reject(name, line, Reason.INVALID_JSON, f"{err}; fix or remove the file",
                     {"error": err, "excerpt": error_excerpt(text, line)})
        return
    if isinstance(value, dict):
        inner = next((value[k] for k in _ARRAY_KEYS if isinstance(value.get(k), list)), None)
        value = inner if inner is not None else [value]
    if not isinstance(value, list):
        yield reject(name, None, Reason.BAD_RECORD,
                     f"expected a JSON array of objects, found {type(value).__name__}",
                     {"value": value})
        return
    for index, item in enumerate(value, start=1):
        yield _dict_item(item, name, index)


def _read_json_lines(lines: Iterable[tuple[int, str]], name: str) -> Iterator[Record | Rejected]:
    for lineno, text in lines:
        if not text.strip():
            continue
        value, err, _ = loads_json(text)
        if err is not None:
            yield reject(name, lineno, Reason.INVALID_JSON,
                         f"{err}; the line is not one complete JSON object", {"line": text})
            continue
        yield _dict_item(value, name, lineno)


def _unique_header(cells: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for cell in cells:
        seen[cell] = seen.get(cell, 0) + 1
        out.append(cell if seen[cell] == 1 else f"{cell}_{seen[cell]}")
    return out


def _read_csv(
    header_line: tuple[int, str], rest: Iterator[tuple[int, str]], name: str
) -> Iterator[Record | Rejected]:
    header_no, header_text = header_line
    delim = csv_delimiter(header_text) or ","
    offset = header_no - 1
    texts = (text + "\n" for _, text in itertools.chain([header_line], rest))
    reader = csv.reader(texts, delimiter=delim)
    header: list[str] | None = None
    prev = 0
    while True:
        start = offset + prev + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            prev = reader.line_num
            yield reject(name, start, Reason.BAD_RECORD, f"bad CSV row: {e}", {"error": str(e)})
            continue
        prev = reader.line_num
        if any("\x00" in c for c in cells):
            yield reject(name, start, Reason.BAD_RECORD,
                         "CSV row with a NUL byte (binary data in a text table); row skipped",
                         {"cells": [c.replace("\x00", "\\0") for c in cells][:50]})
            continue
        if header is None:
            header = _unique_header(cells)
            continue
        if not any(c.strip() for c in cells):
            continue
        row: dict[str, Any] = dict(zip(header, cells, strict=False))
        if len(cells) > len(header):
            row["_extra"] = cells[len(header) :]
        yield row_to_item(row, name, start)


def read(fh: Source, name: str) -> Iterator[Record | Rejected]:
    """Stream the rows of a CSV/TSV, JSON lines, JSON array or Parquet table."""
    first = fh.read(len(PARQUET_MAGIC))
    if isinstance(first, bytes) and first == PARQUET_MAGIC:
        yield from _read_parquet(fh, first, name)
        return
    src = _Prefixed(first, fh)
    lines = iter_lines(src)
    skipped: list[tuple[int, str]] = []
    for lineno, text in lines:
        if text.strip():
            first_line = (lineno, text)
            break
        skipped.append((lineno, text))
    else:
        return
    start = json_start(first_line[1])
    if start == "[" or (start == "{" and first_line[1].strip() == "{"):
        body = "\n".join(t for _, t in [*skipped, first_line]) + "\n" + read_text(src)
        yield from _read_json_document(body, name)
    elif start == "{":
        yield from _read_json_lines(itertools.chain([first_line], lines), name)
    else:
        yield from _read_csv(first_line, lines, name)
