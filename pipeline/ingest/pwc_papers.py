"""Reader for Papers with Code paper lists (`pwc_papers`).

Either the `papers-with-abstracts.json` export (a JSON array of papers) or an
`/api/v1/papers/` response (`{count, next, previous, results: [...]}`); each paper has
`id, arxiv_id, url_abs, url_pdf, title, abstract, authors [str], ...`; the export written as
JSON lines (one paper per line) is read too. `Record.line` is the 1-based index in the list
(the line number for JSON lines); `urls` are `url_abs` and `conference_url_abs`; `arxiv_id` is the
paper's `arxiv_id` (or the id in an arxiv.org `url_abs`). The whole file is parsed as one JSON
document: a file that does not parse yields one `Rejected` PC101 with line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.errors import Reason
from pipeline.ingest.common import (
    Source,
    arxiv_id_from,
    authors_from,
    error_excerpt,
    head_text,
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
from pipeline.ingest.metadata import pwc_metadata
from pipeline.records import Record, Rejected

FORMAT = "pwc_papers"

_PAPER_KEYS = frozenset({"url_abs", "url_pdf", "arxiv_id", "nips_id", "conference_url_abs",
                         "proceeding"})
_LEADERBOARD_KEYS = frozenset({"paper_title", "sota", "subtasks"})


def sniff(head: bytes) -> bool:
    """A JSON document (not JSON lines) with paper keys such as `url_abs`, `arxiv_id`."""
    if b"\x00" in head:
        return False
    text = head_text(head)
    if json_start(text) not in ("{", "["):
        return False
    keys = json_keys(text)
    return "title" in keys and len(_PAPER_KEYS & keys) >= 2 and not _LEADERBOARD_KEYS & keys


def paper_to_item(value: Any, name: str, index: int) -> Record | Rejected:
    """One paper object as a `Record` (or `Rejected` PC106/PC105)."""
    if not isinstance(value, dict):
        return reject(name, index, Reason.BAD_RECORD,
                      f"paper {index}: expected a JSON object, found {type(value).__name__}",
                      {"value": value})
    title = str_or_none(value.get("title"))
    if title is None:
        return reject(name, index, Reason.NO_TITLE, f"paper {index} has no title", value)
    urls = urls_from(value.get("url_abs"), value.get("conference_url_abs"))
    arxiv_id = arxiv_id_from(value.get("arxiv_id"), urls)
    meta = pwc_metadata(value)
    return Record(
        source_file=name,
        line=index,
        source_format=FORMAT,
        title=title,
        authors=authors_from(value.get("authors")),
        abstract=str_or_none(value.get("abstract")),
        arxiv_id=arxiv_id,
        urls=urls,
        raw=json_text(value),
        published=meta.published,
        categories=meta.categories,
        venue=meta.venue,
    )


def _read_json_lines(text: str, name: str) -> Iterator[Record | Rejected]:
    # Split on "\n" only: U+2028 and friends are legal inside JSON strings.
    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        value, err, _ = loads_json(line)
        if err is not None:
            yield reject(name, lineno, Reason.INVALID_JSON,
                         f"{err}; the line is not one complete JSON object", {"line": line})
        else:
            yield paper_to_item(value, name, lineno)


def read(fh: Source, name: str) -> Iterator[Record | Rejected]:
    """Parse the document and yield one item per paper (one per line for JSON lines)."""
    text = read_text(fh)
    doc, err, line = loads_json(text)
    if err is not None and "Extra data" in err and looks_json_lines(text):
        # The export as JSON lines: one paper object per line.
        yield from _read_json_lines(text, name)
        return
    if err is not None:
        yield reject(name, line, Reason.INVALID_JSON,
                     f"{err}; fix the JSON (e.g. a trailing comma) and rerun",
                     {"error": err, "excerpt": error_excerpt(text, line)})
        return
    papers = doc.get("results") if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and papers is None and "title" in doc:
        papers = [doc]
    if not isinstance(papers, list):
        yield reject(name, None, Reason.BAD_RECORD,
                     "expected a JSON array of papers or an object with `results`",
                     {"type": type(doc).__name__,
                      "keys": sorted(map(str, doc))[:50] if isinstance(doc, dict) else []})
        return
    for index, paper in enumerate(papers, start=1):
        yield paper_to_item(paper, name, index)
