"""`python -m pipeline explain`: a paper, its code and each claim traced to its words.

The core (`match_papers`, `render_explanation`, `value_span`) is pure; `explain` reads the
few rows it needs from a release with Parquet filters, so it stays quick on big releases.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import regex

from pipeline.errors import InputError

Row = Mapping[str, Any]

NUMBER = regex.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
ANSI_RESET = "\x1b[0m"
ANSI_EVIDENCE = "\x1b[1;33m"  # bold yellow: the evidence span in the abstract
ANSI_NUMBER = "\x1b[1;30;43m"  # black on yellow: the number inside the evidence
ANSI_LABEL = "\x1b[36m"  # cyan: claim numbers
ANSI_TITLE = "\x1b[1m"
WIDTH = 88


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def match_papers(papers: Sequence[Row], query: str) -> list[Row]:
    """Papers a query names: an exact id (or bare arXiv id) first, else by title, in tiers:
    the whole title, then the name before its colon ("SiT"), then a whole word or phrase of
    it, then any part of it; the first tier with a match decides.
    """
    q = query.strip()
    by_id = [
        p
        for p in papers
        if q in (p["paper_id"], p.get("arxiv_id")) or p["paper_id"] == f"arxiv:{q}"
    ]
    if by_id:
        return by_id
    folded = _fold(q)
    if not folded:
        return []
    word = regex.compile(rf"(?<!\w){regex.escape(folded)}(?!\w)")
    tiers = (
        lambda title: title == folded,  # the whole title
        lambda title: _short_name(title) == folded,  # "SiT" for "SiT: Exploring Flow ..."
        lambda title: word.search(title) is not None,  # a whole word or phrase of it
        lambda title: folded in title,  # any part of it
    )
    titled = [(_fold(p["title"]), p) for p in papers]
    for tier in tiers:
        found = [(title, p) for title, p in titled if tier(title)]
        if found:
            return [p for _, p in sorted(found, key=lambda tp: (tp[0], tp[1]["paper_id"]))]
    return []


def _short_name(folded_title: str) -> str:
    """The name a title starts with, before ": " or " - " ("sit" of "sit: exploring ...")."""
    for sep in (": ", " - ", " – "):
        head, found, _ = folded_title.partition(sep)
        if found:
            return head.strip()
    return ""


def value_span(evidence: str, value: float) -> tuple[int, int] | None:
    """Offsets of the first number in `evidence` equal to `value`, if the text states it."""
    for m in NUMBER.finditer(evidence):
        try:
            number = float(m.group().replace(",", ""))
        except ValueError:  # pragma: no cover - NUMBER only matches floats
            continue
        if math.isclose(number, abs(value), rel_tol=1e-9, abs_tol=1e-9):
            start = m.start()
            if value < 0 and start > 0 and evidence[start - 1] in "-−":
                start -= 1
            return start, m.end()
    return None


def claim_span(abstract: str, claim: Row) -> tuple[int, int] | None:
    """Where a claim's evidence sits in the abstract: its offsets, else a verbatim search."""
    start, end, evidence = claim.get("start"), claim.get("end"), claim["evidence"]
    if isinstance(start, int) and isinstance(end, int) and abstract[start:end] == evidence:
        return start, end
    found = abstract.find(evidence) if evidence else -1
    return (found, found + len(evidence)) if found >= 0 else None


def merge_spans(spans: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, list[int]]]:
    """(start, end, label) spans merged where they overlap, with every label they carry."""
    merged: list[tuple[int, int, list[int]]] = []
    for start, end, label in sorted(spans):
        if merged and start < merged[-1][1]:
            s, e, labels = merged[-1]
            merged[-1] = (s, max(e, end), sorted({*labels, label}))
        else:
            merged.append((start, end, [label]))
    return merged


def format_value(claim: Row) -> str:
    """The value as the evidence writes it (`1.30`, not `1.3`), with its unit."""
    value = float(claim["value"])
    span = value_span(str(claim.get("evidence") or ""), value)
    if span is not None:
        text = str(claim["evidence"])[span[0] : span[1]]
    else:
        text = f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    unit = claim.get("unit")
    if unit in ("%", "x"):
        return text + str(unit)
    return f"{text} {unit}" if unit else text


def describe_claim(claim: Row, *, with_value: bool = True) -> str:
    """`FID 1.30 on CIFAR-10 at 64px (proposed, 2 steps, class-conditional)`."""
    text = f"{claim['metric']} {format_value(claim)}" if with_value else str(claim["metric"])
    if claim.get("dataset"):
        text += f" on {claim['dataset']}"
    if claim.get("resolution") is not None:
        text += f" at {claim['resolution']}px"
    notes = [str(claim.get("role") or "")]
    if claim.get("kind") and claim["kind"] != "absolute":
        notes.append(str(claim["kind"]))
    steps = claim.get("steps")
    if steps is not None:
        notes.append(f"{steps} step" + ("" if steps == 1 else "s"))
    for key in ("setting", "model"):
        if claim.get(key):
            notes.append(f"{key} {claim[key]}" if key == "model" else str(claim[key]))
    notes = [n for n in notes if n]
    return f"{text} ({', '.join(notes)})" if notes else text


class _Marks:
    """Highlighting either as ANSI colour or as `[[...]]` brackets."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def evidence(self, text: str) -> str:
        return f"{ANSI_EVIDENCE}{text}{ANSI_RESET}" if self.color else f"[[{text}]]"

    def number(self, text: str) -> str:
        return f"{ANSI_NUMBER}{text}{ANSI_RESET}" if self.color else f"[[{text}]]"

    def label(self, labels: Sequence[int]) -> str:
        text = "[" + ",".join(str(n) for n in labels) + "]"
        return f"{ANSI_LABEL}{text}{ANSI_RESET}" if self.color else text

    def title(self, text: str) -> str:
        return f"{ANSI_TITLE}{text}{ANSI_RESET}" if self.color else text


def highlight_abstract(abstract: str, claims: Sequence[Row], marks: _Marks) -> str:
    spans = []
    for n, claim in enumerate(claims, start=1):
        span = claim_span(abstract, claim)
        if span is not None:
            spans.append((span[0], span[1], n))
    out, pos = [], 0
    for start, end, labels in merge_spans(spans):
        out += [abstract[pos:start], marks.evidence(abstract[start:end]), marks.label(labels)]
        pos = end
    out.append(abstract[pos:])
    return "".join(out)


def highlight_number(claim: Row, marks: _Marks) -> str:
    evidence = str(claim["evidence"])
    span = value_span(evidence, float(claim["value"]))
    if span is None:
        return evidence
    s, e = span
    return evidence[:s] + marks.number(evidence[s:e]) + evidence[e:]


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def sort_claims(claims: Sequence[Row]) -> list[Row]:
    """In reading order: by evidence offset, then where the number sits in the evidence."""

    def key(c: Row) -> tuple[int, int, int, str, float]:
        span = value_span(str(c["evidence"]), float(c["value"]))
        pos = span[0] if span is not None else len(str(c["evidence"]))
        return (c.get("start") or 0, c.get("end") or 0, pos, str(c["metric"]), float(c["value"]))

    return sorted(claims, key=key)


def render_explanation(
    paper: Row, claims: Sequence[Row], code_links: Sequence[Row] = (), *, color: bool = False
) -> str:
    """The paper, its links, its abstract with every claim's evidence marked, and each claim.

    Evidence spans are highlighted in the abstract and followed by the numbers of the claims
    they support; each claim then shows its evidence with the number itself highlighted.
    color: ANSI colours instead of `[[...]]` brackets.
    """
    marks = _Marks(color)
    ordered = sort_claims(claims)
    authors = list(paper.get("authors") or [])
    lines = [marks.title(str(paper["title"])), ""]
    lines.append(f"  id:       {paper['paper_id']}")
    lines.append(f"  authors:  {', '.join(authors) if authors else '(none listed)'}")
    source = f"{paper.get('source_file')}"
    if paper.get("line") is not None:
        source += f":{paper['line']}"
    if paper.get("source_format"):
        source += f" ({paper['source_format']})"
    lines.append(f"  source:   {source}")
    first = f"{paper.get('source_file')}:{paper.get('line')}"
    merged = [s for s in (paper.get("sources") or []) if s != first]
    if merged:
        lines.append(f"  merged:   {', '.join(merged)}")
    if paper.get("arxiv_id"):
        lines.append(f"  arXiv:    https://arxiv.org/abs/{paper['arxiv_id']}")
    links = sorted(code_links, key=lambda link: (link["kind"] != "code", str(link["url"])))
    if links:
        for i, link in enumerate(links):
            head = "  links:    " if i == 0 else "            "
            lines.append(f"{head}{link['url']} ({link['kind']})")
    else:
        lines.append("  links:    none found")
    lines.append("")
    abstract = paper.get("abstract")
    if abstract:
        lines.append(
            "Abstract (evidence highlighted, followed by its claim numbers):"
            if ordered
            else "Abstract:"
        )
        lines.append(_wrap(highlight_abstract(str(abstract), ordered, marks), "  "))
    else:
        lines.append("Abstract: none in the source.")
    lines.append("")
    if not ordered:
        lines.append("Claims: none extracted.")
    else:
        lines.append(f"Claims ({len(ordered)}):")
        for n, claim in enumerate(ordered, start=1):
            lines.append(f"  {marks.label([n])} {describe_claim(claim)}")
            lines.append(_wrap(f'"{highlight_number(claim, marks)}"', "      "))
    return "\n".join(lines) + "\n"


def _read_rows(path: Path, paper_id: str | None = None) -> list[dict[str, Any]]:
    filters = [("paper_id", "==", paper_id)] if paper_id is not None else None
    rows: list[dict[str, Any]] = pq.read_table(path, filters=filters).to_pylist()
    return rows


def find_paper(release: Path, query: str) -> dict[str, Any]:
    """The one paper of `release` the query names; InputError naming candidates otherwise."""
    path = release / "papers.parquet"
    names = pq.read_schema(path).names
    columns = [c for c in ("paper_id", "title", "arxiv_id") if c in names]
    papers = pq.read_table(path, columns=columns).to_pylist()
    found = match_papers(papers, query)
    if not found:
        raise InputError(f"{path}: no paper id or title matches {query!r}")
    if len(found) > 1:
        listing = "\n".join(f"  {p['paper_id']}  {p['title']}" for p in found[:50])
        more = f"\n  ... and {len(found) - 50} more" if len(found) > 50 else ""
        raise InputError(
            f"{query!r} matches {len(found)} papers; give an id or a longer title:\n{listing}{more}"
        )
    return _read_rows(path, str(found[0]["paper_id"]))[0]


def explain(release_dir: str | Path, query: str, *, color: bool = False) -> str:
    """Read a release and render the explanation of the paper `query` names."""
    from pipeline.tools.load import resolve_release

    release = resolve_release(release_dir)
    paper = find_paper(release, query)
    pid = str(paper["paper_id"])
    claims = _read_rows(release / "results.parquet", pid)
    links = _read_rows(release / "code_links.parquet", pid)
    return render_explanation(paper, claims, links, color=color)
