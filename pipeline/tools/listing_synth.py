"""Synthetic listing pages for training the line model: real entries, re-laid out.

The annotated pages are few and each has one layout, so a model trained on them learns the
layouts as much as the lines. Here the entries of the training pages (their gold titles,
authors and abstracts) and their real chrome, heading and link lines are laid out again in
layouts drawn at random: blank lines between entries or fields or none, authors on one line
(comma- or "and"-separated) or one per line or missing, abstracts with or without an
"Abstract:" label or missing, link rows, headings between groups, chrome above and below.
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


@dataclass(frozen=True, slots=True)
class Pool:
    """What synthetic pages are made of, all taken from real pages."""

    entries: tuple[dict[str, Any], ...]
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
    return Pool(tuple(entries), tuple(dict.fromkeys(chrome)), tuple(dict.fromkeys(headings)),
                tuple(dict.fromkeys(venues)))


def _authors(rng: random.Random, names: Sequence[str], style: str) -> list[str]:
    if not names or style == "none":
        return []
    if style == "per_line":
        return list(names)
    if style == "and" and len(names) > 1:
        return [", ".join(names[:-1]) + " and " + names[-1]]
    return [", ".join(names)]


def page(rng: random.Random, source: Pool) -> tuple[list[str], list[str]]:
    """One synthetic page: its lines and their labels."""
    lines: list[str] = []
    labels: list[str] = []

    def add(text: str, label: str) -> None:
        lines.append(text)
        labels.append(label)

    blank_entries = rng.random() < 0.6
    blank_fields = rng.random() < 0.3
    author_style = rng.choice(("comma", "and", "per_line", "none"))
    abstracts = rng.random() < 0.5
    label_abstract = rng.random() < 0.3
    links = rng.choice(("none", "row", "venue", "both"))
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
    return lines, labels


def pages(real: Sequence[Any], count: int, seed: int = 0) -> list[tuple[list[str], list[str]]]:
    """`count` synthetic pages made from the entries and lines of `real` pages."""
    source = pool(real)
    if not source.entries:
        return []
    rng = random.Random(seed)
    return [page(rng, source) for _ in range(count)]
