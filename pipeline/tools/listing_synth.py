"""Synthetic listing pages for training the line model: real entries, re-laid out.

The annotated pages are few and each has one layout, so a model trained on them learns the
layouts as much as the lines. Here the entries of the training pages (their gold titles,
authors and abstracts) and their real chrome, heading and link lines are laid out again in
layouts drawn at random: blank lines between entries or fields or none, authors on one line
(comma- or "and"-separated) or one per line or missing, abstracts with or without an
"Abstract:" label or missing, link rows, headings between groups, chrome above and below.
Other pages put each entry on one line, in one of the citation and digest styles other
sites use (`ONE_LINE`): authors before the title, "Title by A and B (1999)", "Title - first
sentence of an abstract", a schedule's tab-separated row: training data for the segment
model (`SynthPage.titles`: each title line's entry).
Only the pages given are used, so cross-validation folds stay apart; a seeded
`random.Random` makes the pages the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LINK_ROWS = ("[Paper] [Code]", "PDF Code BibTeX", "Abs PDF Code", "[pdf] [project page]",
             "Paper | Code | Slides")
VENUES = ("NeurIPS", "ICML", "ICLR", "CVPR", "ECCV", "ACL", "EMNLP", "AAAI", "KDD",
          "arXiv preprint", "Proceedings of the IEEE International Conference on Computer Vision",
          "Journal of Machine Learning Research", "Nature")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ONE_LINE = ("authors_first", "authors_first_in", "title_first", "title_by", "title_summary",
            "schedule_row", "link_et_al")


@dataclass(frozen=True, slots=True)
class Pool:
    """What synthetic pages are made of, all taken from real pages."""

    entries: tuple[dict[str, Any], ...]
    abstracts: tuple[str, ...]
    chrome: tuple[str, ...]
    headings: tuple[str, ...]
    venues: tuple[str, ...]


def pool(pages: Sequence[Any]) -> Pool:
    """The entries and the chrome, heading and venue/link lines of annotated pages."""
    entries: list[dict[str, Any]] = []
    chrome: list[str] = []
    headings: list[str] = []
    venues: list[str] = []
    for page in pages:
        entries.extend(g for g in page.gold if g.get("title"))
        for text, label in zip(page.text.splitlines(), page.labels, strict=True):
            if not text.strip():
                continue
            {"chrome": chrome, "heading": headings, "venue_links": venues}.get(
                label, []).append(text.strip())
    abstracts = tuple(g["abstract"] for g in entries if g.get("abstract"))
    return Pool(tuple(entries), abstracts, tuple(dict.fromkeys(chrome)),
                tuple(dict.fromkeys(headings)), tuple(dict.fromkeys(venues)))


def _authors(rng: random.Random, names: Sequence[str], style: str) -> list[str]:
    if not names or style == "none":
        return []
    if style == "per_line":
        return list(names)
    if style == "and" and len(names) > 1:
        return [", ".join(names[:-1]) + " and " + names[-1]]
    return [", ".join(names)]


@dataclass(slots=True)
class SynthPage:
    """A synthetic page: its lines, their labels, and the entry of each one-line entry's line
    (by line number)."""

    lines: list[str]
    labels: list[str]
    titles: dict[int, dict[str, Any]]


def _and_list(names: Sequence[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + (", and " if len(names) > 2 else " and ") + names[-1]


def _first_sentence(text: str) -> str:
    words = " ".join(text.split())
    end = words.find(". ")
    return words[:end + 1] if 0 < end < 300 else words[:200].rsplit(" ", 1)[0]


def one_line(rng: random.Random, entry: dict[str, Any], style: str, summary: str) -> str:
    """An entry written on one line in `style` (`ONE_LINE`)."""
    title = entry["title"]
    names = list(entry.get("authors") or [])
    if not names:
        style = "title_summary"
    year = rng.randint(1990, 2025)
    venue = rng.choice(VENUES)
    lead = rng.choice(("", "", "- ", f"{rng.randint(1, 60)}. ", f"[{rng.randint(1, 60)}] "))
    if style == "authors_first":
        return f"{lead}{_and_list(names)}. {title}. {venue}, {year}."
    if style == "authors_first_in":
        return f"{lead}{_and_list(names)}, {title}, In {venue}, {year}"
    if style == "title_first":
        return f"{lead}{title}, {', '.join(names)}"
    if style == "title_by":
        return f"{lead}{title} by {_and_list(names[:3])} ({year}). {summary}".rstrip()
    if style == "title_summary":
        sep = rng.choice((" - ", " – ", ".\t"))
        return f"{lead}{title}{sep}{summary}"
    if style == "schedule_row":
        date = rng.choice((f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year % 100:02d}",
                           f"{rng.choice(MONTHS)} {rng.randint(1, 28)} {year}"))
        return "\t".join((date, names[0], title, rng.choice(("Link", "Slides", "[paper]"))))
    link = f"https://arxiv.org/abs/{year % 100:02d}01.{rng.randint(1000, 99999)}"
    return f"{lead}[{title}]({link}), {names[0].split()[-1]} et al., {venue} {year}"


def page(rng: random.Random, source: Pool, one_line_page: bool = False) -> SynthPage:
    """One synthetic page; with `one_line_page`, its entries in one of the `ONE_LINE` styles."""
    lines: list[str] = []
    labels: list[str] = []
    titles: dict[int, dict[str, Any]] = {}

    def add(text: str, label: str) -> None:
        lines.append(text)
        labels.append(label)

    blank_entries = rng.random() < 0.6
    blank_fields = rng.random() < 0.3
    author_style = rng.choice(("comma", "and", "per_line", "none"))
    abstracts = rng.random() < 0.5
    label_abstract = rng.random() < 0.3
    links = rng.choice(("none", "row", "venue", "both"))
    style = rng.choice(ONE_LINE) if one_line_page else None
    for _ in range(rng.randint(0, 4)):
        if source.chrome:
            add(rng.choice(source.chrome), "chrome")
    if rng.random() < 0.5 and source.headings:
        add(rng.choice(source.headings), "heading")
        add("", "blank")
    for k in range(rng.randint(4, 14)):
        entry = rng.choice(source.entries)
        if k and rng.random() < 0.1 and source.headings:
            add(rng.choice(source.headings), "heading")
            add("", "blank")
        if style is not None:
            summary = _first_sentence(rng.choice(source.abstracts)) if source.abstracts else ""
            titles[len(lines)] = entry
            add(one_line(rng, entry, style, summary), "title")
            if blank_entries:
                add("", "blank")
            continue
        add(entry["title"], "title")
        fields: list[tuple[str, str]] = []
        fields += [(a, "authors") for a in _authors(rng, entry.get("authors") or [],
                                                    author_style)]
        if links in ("venue", "both") and source.venues:
            fields.append((rng.choice(source.venues), "venue_links"))
        if links in ("row", "both"):
            fields.append((rng.choice(LINK_ROWS), "venue_links"))
        if abstracts and entry.get("abstract"):
            text = " ".join(entry["abstract"].split())
            fields.append((("Abstract: " if label_abstract else "") + text, "abstract"))
        for text, label in fields:
            if blank_fields:
                add("", "blank")
            add(text, label)
        if blank_entries:
            add("", "blank")
    for _ in range(rng.randint(0, 2)):
        if source.chrome:
            add(rng.choice(source.chrome), "chrome")
    return SynthPage(lines, labels, titles)


def pages(real: Sequence[Any], count: int, seed: int = 0, one_line_pages: bool = False
          ) -> list[SynthPage]:
    """`count` synthetic pages made from the entries and lines of `real` pages."""
    source = pool(real)
    if not source.entries:
        return []
    rng = random.Random(seed)
    return [page(rng, source, one_line_pages) for _ in range(count)]
