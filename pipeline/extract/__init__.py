"""extract: datasets, resolutions, result claims and code links of one paper.

`extract_paper` is pure (a function of the Paper and the data files under `gazetteers/`)
and never raises on any text: an unexpected failure yields an empty Extraction for that
part and is logged, so one odd abstract cannot stop a run over millions.
"""

from __future__ import annotations

import logging

from pipeline import native

native.install()  # before the submodules: their current compiled builds, if any

from pipeline.extract import resources  # noqa: E402
from pipeline.extract.batch import kept_for, sentences_of  # noqa: E402
from pipeline.extract.claims import build_results  # noqa: E402
from pipeline.extract.segment import Span  # noqa: E402
from pipeline.extract.tag import Tag, Tags, tag_text  # noqa: E402
from pipeline.extract.urls import extract_code_links, find_url_spans  # noqa: E402
from pipeline.records import DatasetMention, Extraction, Paper, Resolution, Result  # noqa: E402

__all__ = ["extract_paper", "gazetteer_versions", "kept_for"]

log = logging.getLogger(__name__)


def gazetteer_versions() -> dict[str, str]:
    """File name (relative to `gazetteers/`) -> sha256 of each data file extract reads."""
    return resources.gazetteer_versions()


def _dataset_mentions(paper_id: str, text: str, tags: Tags) -> list[DatasetMention]:
    out: list[DatasetMention] = []
    seen: set[str] = set()
    for t in tags.datasets:
        key = str(t.value).casefold()
        if key in seen:
            continue
        seen.add(key)
        out.append(DatasetMention(paper_id, str(t.value), text[t.start:t.end], t.start, t.end,
                                  bool(t.extra[0])))
    return out


def _sentence_of(sentences: list[Span], pos: int) -> Span | None:
    for s in sentences:
        if s.start <= pos < s.end:
            return s
    return None


def _resolutions(paper_id: str, text: str, tags: Tags, sentences: list[Span]) -> list[Resolution]:
    rows: list[Resolution] = []
    seen: set[tuple[int, str | None]] = set()
    found: list[tuple[int, int, int, str | None]] = []
    for d in tags.datasets:
        if d.extra[1]:
            found.append((d.start, d.end, int(d.extra[1]), str(d.value)))
    for r in tags.resolutions:
        found.append((r.start, r.end, int(r.value), _link_resolution(text, r, tags, sentences)))
    found.sort()
    for start, end, px, ds in found:
        if (px, ds) in seen:
            continue
        seen.add((px, ds))
        rows.append(Resolution(paper_id, px, text[start:end], ds, start, end))
    return rows


def _link_resolution(text: str, r: Tag, tags: Tags, sentences: list[Span]) -> str | None:
    """The dataset a stated resolution belongs to: the one written right before it
    ("FFHQ 64×64"), else the nearest before it in the sentence, else the only one after."""
    sent = _sentence_of(sentences, r.start)
    if sent is None:
        return None
    in_sent = [d for d in tags.datasets if sent.start <= d.start and d.end <= sent.end]
    before = [d for d in in_sent if d.end <= r.start]
    if before:
        return str(before[-1].value)
    after = {str(d.value) for d in in_sent if d.start >= r.end}
    return after.pop() if len(after) == 1 else None


def extract_paper(paper: Paper) -> Extraction:
    """Everything extract finds in one paper; never raises."""
    pid = paper.paper_id
    text = paper.abstract if isinstance(paper.abstract, str) else ""
    try:
        links = extract_code_links(pid, text, tuple(paper.urls or ()), paper.arxiv_id)
    except Exception:  # noqa: BLE001 - a bad URL must not stop the run
        log.exception("extract: code links failed for %s", pid)
        links = []
    if not text:
        return Extraction(code_links=tuple(links))
    try:
        # Only sentences with a digit can hold a result or a resolution.
        sentences = sentences_of(text)
        tags = tag_text(text, [(s.start, s.end) for s in sentences], paper.title or "")
        url_tags = [Tag(s, e, "URL") for s, e, _raw, _cue in find_url_spans(text)] \
            if links else []
        if url_tags:
            tags.datasets = [d for d in tags.datasets
                             if not any(u.start <= d.start < u.end for u in url_tags)]
            tags.resolutions = [r for r in tags.resolutions
                                if not any(u.start <= r.start < u.end for u in url_tags)]
        mentions = _dataset_mentions(pid, text, tags)
        resolutions = _resolutions(pid, text, tags, sentences)
        results: list[Result] = build_results(pid, text, sentences, tags, url_tags)
    except Exception:  # noqa: BLE001 - extract never raises; log and keep what is safe
        log.exception("extract: failed on %s", pid)
        return Extraction(code_links=tuple(links))
    return Extraction(
        code_links=tuple(links),
        dataset_mentions=tuple(mentions),
        resolutions=tuple(resolutions),
        results=tuple(results),
    )

