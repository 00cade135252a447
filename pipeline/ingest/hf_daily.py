"""Reader for Hugging Face Daily Papers JSON (`hf_daily`), in both shapes seen in the wild.

- the API (`/api/daily_papers`): a list of `{paper: {id, title, summary, authors: [{name}],
  ...}, title, publishedAt, submittedBy, ...}`;
- the mirror: `{date, count, papers: [{id, title, summary, authors: [str], arxivUrl,
  githubRepo, ...}]}`.

Title and summary are `paper.title`/`paper.summary` as read (hard-wrapped in the API).
`arxiv_id` is the paper `id`; `urls` are `githubRepo`, `projectPage` and `arxivUrl` when given.
`Record.line` is the 1-based index in the list. One whole-file JSON document: a file that does
not parse yields one `Rejected` PC101 with line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.errors import Reason
from pipeline.ingest.common import (
    Source,
    arxiv_id_from,
    authors_from,
    head_text,
    json_keys,
    json_start,
    json_text,
    load_document,
    reject,
    str_or_none,
    urls_from,
)
from pipeline.ingest.metadata import hf_metadata
from pipeline.records import Record, Rejected

FORMAT = "hf_daily"

_API_KEYS = frozenset({"summary", "discussionId", "submittedBy", "numComments", "upvotes"})
_MIRROR_KEYS = frozenset({"arxivUrl", "arxivPdfUrl", "githubRepo", "upvotes"})


def sniff(head: bytes) -> bool:
    """A JSON document with the API's `paper` objects or the mirror's `papers` list."""
    if b"\x00" in head:
        return False
    text = head_text(head)
    if json_start(text) not in ("{", "["):
        return False
    keys = json_keys(text)
    if "title" not in keys:
        return False
    api = "paper" in keys and len(_API_KEYS & keys) >= 2
    mirror = "papers" in keys and "summary" in keys and bool(_MIRROR_KEYS & keys)
    return api or mirror


def item_to_record(value: Any, name: str, index: int) -> Record | Rejected:
    """One list item (API `{paper: ...}` or a mirror paper) as a `Record`."""
    if not isinstance(value, dict):
        return reject(name, index, Reason.BAD_RECORD,
                      f"item {index}: expected a JSON object, found {type(value).__name__}",
                      {"value": value})
    paper = value.get("paper")
    paper = paper if isinstance(paper, dict) else value
    title = str_or_none(paper.get("title")) or str_or_none(value.get("title"))
    if title is None:
        return reject(name, index, Reason.NO_TITLE, f"item {index} has no title", value)
    urls = urls_from(
        paper.get("githubRepo"), value.get("githubRepo"),
        paper.get("projectPage"), value.get("projectPage"),
        paper.get("arxivUrl"), value.get("arxivUrl"),
    )
    arxiv_id = arxiv_id_from(paper.get("id"), urls)
    return Record(
        source_file=name,
        line=index,
        source_format=FORMAT,
        title=title,
        authors=authors_from(paper.get("authors")),
        abstract=str_or_none(paper.get("summary")) or str_or_none(paper.get("abstract")),
        arxiv_id=arxiv_id,
        urls=urls,
        raw=json_text(value),
        published=hf_metadata(value, paper).published,
    )


def read(fh: Source, name: str) -> Iterator[Record | Rejected]:
    """Parse the document and yield one item per paper."""
    doc, problem = load_document(fh, name)
    if problem is not None:
        yield problem
        return
    items: Any = doc
    if isinstance(doc, dict):
        items = doc.get("papers") if isinstance(doc.get("papers"), list) else None
        if items is None and isinstance(doc.get("paper"), dict):
            items = [doc]
    if not isinstance(items, list):
        yield reject(name, None, Reason.BAD_RECORD,
                     "expected a list of daily papers or an object with `papers`",
                     {"type": type(doc).__name__,
                      "keys": sorted(map(str, doc))[:50] if isinstance(doc, dict) else []})
        return
    for index, item in enumerate(items, start=1):
        yield item_to_record(item, name, index)
