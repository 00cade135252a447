"""Train the listing-page models and measure them by cross-validation by page.

Data (all in the repository): the annotated real pages of `tests/fixtures/pages/` (raw text,
a label and an entry number for every line in `lines/`, the entries in `gold/`) and the two
seed pages (`tests/fixtures/seeds/`, labels in `lines/seed_*.lines.tsv`, entries in
`tests/fixtures/gold/seeds.jsonl`).

- Line model: each line's label is its annotated kind (`listing_model`); a page's non-blank
  lines are one sequence.
- Segment model: each title line's segments (`listing_fields.segments`) are tagged `T` when
  at least half of the segment lies in the gold title, `A` when it holds a word of a gold
  author's name, `O` otherwise. A title line whose gold title is not in it is left out.
- Entry model (`listing_entries`): each page's titled entries, as read by line and segment
  models trained on the pages of the other `ENTRY_FOLDS` folds, are one sequence, tagged `P`
  when the entry's title is a gold title or part of one and `N` otherwise (`entry_labels`).

`python -m pipeline.tools.train_listing` writes the three models to `pipeline/ingest/models/`;
`--cv --folds K` reads every page with models trained on the pages of the other K folds
(every K-th page in name order together; the entry model's own folds are drawn from those
pages only, so the figure is nested) and scores titles, authors and abstracts against the
gold (`--write FILE` saves the figures as JSON; `make eval` uses K = 10); `--cv` alone is
leave-one-page-out; `--entry-folds 0` leaves the entry model out, a figure in under a minute
for comparing line and segment settings. CRFsuite's L-BFGS has no randomness: the same data
gives byte-identical model files.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pipeline import crf
from pipeline.config import ROOT
from pipeline.ingest import (
    listing_entries,
    listing_features,
    listing_fields,
    listing_model,
    listing_text,
)
from pipeline.ingest.common import iter_lines
from pipeline.records import Record
from pipeline.tools import listing_synth
from pipeline.tools.evaluate import author_key, normalise_title

PAGES = ROOT / "tests" / "fixtures" / "pages"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
SEED_GOLD = ROOT / "tests" / "fixtures" / "gold" / "seeds.jsonl"
MODEL_DIR = ROOT / "pipeline" / "ingest" / "models"
SYNTHETIC_PAGES = 80
SYNTHETIC_ONE_LINE_PAGES = 40
PARAMS: dict[str, Any] = {"c1": 0.5, "c2": 0.01, "max_iterations": 300,
                          "feature.possible_transitions": True}
"""The segment model's training parameters."""
LINE_PARAMS: dict[str, Any] = {**PARAMS, "c1": 2.0}
"""The line model's: a stronger L1 penalty keeps fewer, more general features. Chosen by
10-fold cross-validation by page over the 127 annotated pages (`--cv --folds 10`; c1 0.05-8,
c2 0.001-1): titles F1 0.803 -> 0.817, authors 0.855 -> 0.868, abstracts attached 0.745 ->
0.745 (models/README.md)."""
ENTRY_PARAMS: dict[str, Any] = {**PARAMS, "c1": 2.0}
"""The entry model's: c1 0.5, 1, 2 and 4 compared by 10-fold cross-validation by page,
nested (models/README.md)."""
ENTRY_FOLDS = 10
"""The entry model learns from the entries of each page as read by line and segment models
trained without it: every `ENTRY_FOLDS`-th page together (0: no entry model)."""


@dataclass(frozen=True, slots=True)
class Page:
    """An annotated page: its text, a label per line, its gold entries."""

    name: str
    text: str
    labels: tuple[str, ...]
    entries: tuple[int, ...]
    gold: tuple[dict[str, Any], ...]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _page(name: str, raw: Path, tsv: Path, gold: list[dict[str, Any]]) -> Page:
    text = raw.read_text(encoding="utf-8")
    rows = [line.split("\t") for line in tsv.read_text(encoding="utf-8").splitlines()]
    n_lines = len(text.splitlines())
    if len(rows) != n_lines:
        raise ValueError(f"{tsv}: {len(rows)} labels for {n_lines} lines of {raw.name}")
    return Page(name, text, tuple(r[1] for r in rows), tuple(int(r[2]) for r in rows),
                tuple(gold))


def load_pages(folder: Path = PAGES) -> list[Page]:
    """Every annotated page of `folder` (`raw/`, `lines/`, `gold/`; the seeds' lines name the
    seed pages), in name order."""
    pages = []
    for tsv in sorted((folder / "lines").glob("*.lines.tsv")):
        stem = tsv.name.removesuffix(".lines.tsv")
        if stem.startswith("seed_"):
            raw = SEEDS / f"{stem.removeprefix('seed_')}.txt"
            gold = [g for g in _jsonl(SEED_GOLD) if g["source_file"] == raw.name]
        else:
            raw = folder / "raw" / f"{stem}.txt"
            gold = _jsonl(folder / "gold" / f"{stem}.gold.jsonl")
        pages.append(_page(stem, raw, tsv, gold))
    return pages


def line_labels(page: Page) -> list[str]:
    """The annotated kind of every line; an entry-kind line outside every entry is chrome."""
    return [label if label not in listing_model.ENTRY_KINDS or entry > 0 else "chrome"
            for label, entry in zip(page.labels, page.entries, strict=True)]


def segment_labels(text: str, gold: dict[str, Any]) -> list[str] | None:
    """`T`/`A`/`O` for a title line's segments, or None when the gold title is not in it."""
    segs = listing_fields.segments(text)
    title = gold["title"]
    at = text.find(title)
    if at < 0:
        at = text.casefold().find(title.casefold())
    if at < 0:
        return None
    end = at + len(title)
    parts = {w.casefold() for a in gold.get("authors", []) for w in a.split()
             if len(w.rstrip(".")) > 1}
    tags = []
    for seg in segs:
        overlap = max(0, min(seg.end, end) - max(seg.start, at))
        words = {w.strip(",;.*†()[]").casefold() for w in seg.text.split()}
        tags.append("T" if overlap * 2 >= seg.end - seg.start
                    else "A" if words & parts else "O")
    return tags


def _content(texts: Sequence[str], labels: Sequence[str]) -> tuple[list[Any], list[str]]:
    feats = listing_features.page_features(texts)
    keep = [i for i, t in enumerate(texts) if t.strip()]
    return [feats[i] for i in keep], [labels[i] for i in keep]


def training_sequences(pages: Sequence[Page]) -> tuple[list[Any], list[Any]]:
    """(line sequences, segment sequences) as (features, labels) pairs; the line sequences
    include `SYNTHETIC_PAGES` pages re-laid out from `pages`, the segment sequences the title
    lines of `SYNTHETIC_ONE_LINE_PAGES` pages of one-line entries (`listing_synth`)."""
    lines_xy = [_content(synth.lines, synth.labels)
                for synth in listing_synth.pages(pages, SYNTHETIC_PAGES)]
    segments_xy: list[Any] = []
    for synth in listing_synth.pages(pages, SYNTHETIC_ONE_LINE_PAGES, seed=1,
                                     one_line_pages=True):
        for at, gold in synth.titles.items():
            _add_segments(segments_xy, synth.lines[at], gold)
    for page in pages:
        texts = page.text.splitlines()
        lines_xy.append(_content(texts, line_labels(page)))
        for text, label, entry in zip(texts, page.labels, page.entries, strict=True):
            if label != "title" or entry == 0 or entry > len(page.gold):
                continue
            _add_segments(segments_xy, text, page.gold[entry - 1])
    return lines_xy, segments_xy


def _add_segments(segments_xy: list[Any], text: str, gold: dict[str, Any]) -> None:
    """A title line's segments and their labels, when its gold title is in it."""
    tags = segment_labels(text, gold)
    if tags:
        segs = listing_fields.segments(text)
        segments_xy.append((listing_fields.segment_features(segs), tags))


def _train(xy: Sequence[Any], path: Path, params: dict[str, Any]) -> None:
    path.write_bytes(crf.train(xy, params))


def _same_paper(a: str, b: str) -> bool:
    """Two normalised titles of one paper, whole or in part: one holds the other, or they
    share at least two words and half the words of the shorter."""
    if not a or not b:
        return False
    wa, wb = set(a.split()), set(b.split())
    return a in b or b in a or len(wa & wb) >= max(2, min(len(wa), len(wb)) / 2)


def entry_labels(page: Page, shapes: Sequence[listing_entries.EntryShape]) -> list[str]:
    """`P` for an entry whose title is a gold title or part of one (a title read with too
    much or too little of its line is still a paper's entry), else `N`."""
    gold = [normalise_title(g["title"]) for g in page.gold]
    exact = set(gold)
    out = []
    for e in shapes:
        key = normalise_title(e.title)
        paper = key in exact or any(_same_paper(key, g) for g in gold)
        out.append(listing_entries.PAPER if paper else listing_entries.NOT_A_PAPER)
    return out


def _line_models(pages: Sequence[Page], folder: Path) -> None:
    lines_xy, segments_xy = training_sequences(pages)
    folder.mkdir(parents=True, exist_ok=True)
    _train(lines_xy, folder / listing_model.LINE_MODEL, LINE_PARAMS)
    _train(segments_xy, folder / listing_model.SEGMENT_MODEL, PARAMS)


def _entry_fold(pages: Sequence[Page], held: list[int]) -> list[Any]:
    """(features, labels) of the entries of the pages at `held`, as read by line and segment
    models trained on the other pages (no entry model)."""
    rest = [p for i, p in enumerate(pages) if i not in held]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        _line_models(rest, Path(tmp))
        taggers = _taggers(Path(tmp))
        for i in held:
            entries = listing_text.segment_entries(iter_lines(io.StringIO(pages[i].text)),
                                                   taggers)
            shapes = [listing_text.shape(e) for e in entries if e.title is not None]
            if shapes:
                out.append((listing_entries.features(shapes), entry_labels(pages[i], shapes)))
    return out


def entry_sequences(pages: Sequence[Page], folds: int = ENTRY_FOLDS, workers: int = 1
                    ) -> list[Any]:
    """The entry model's training sequences: each page's entries, read by models trained on
    the pages of the other folds."""
    members = fold_members(len(pages), folds)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            read = list(pool.map(partial(_entry_fold, pages), members))
    else:
        read = [_entry_fold(pages, held) for held in members]
    return [xy for fold in read for xy in fold]


def train(pages: Sequence[Page], folder: Path, entry_folds: int = ENTRY_FOLDS,
          workers: int = 1) -> None:
    """Write the line, segment and (`entry_folds` > 0) entry models trained on `pages` into
    `folder`."""
    _line_models(pages, folder)
    entry = folder / listing_entries.ENTRY_MODEL
    if entry_folds:
        _train(entry_sequences(pages, entry_folds, workers), entry, ENTRY_PARAMS)
    else:
        entry.unlink(missing_ok=True)


def _taggers(folder: Path) -> listing_text.Taggers:
    """The models in `folder`; without an entry model, every titled entry is published."""
    def load(name: str) -> crf.ModelTagger:
        return crf.ModelTagger((folder / name).read_bytes())
    entry = folder / listing_entries.ENTRY_MODEL
    return listing_text.Taggers(
        load(listing_model.LINE_MODEL), load(listing_model.SEGMENT_MODEL),
        load(listing_entries.ENTRY_MODEL) if entry.exists() else None,
        judge_entries=entry.exists())


def read_page(page: Page, taggers: listing_text.Taggers = listing_text.SHIPPED
              ) -> list[Record]:
    """The records the reader makes of a page, merged by title as the normalise stage does."""
    merged: dict[str, Record] = {}
    for item in listing_text.read(io.StringIO(page.text), page.name, taggers):
        if not isinstance(item, Record):
            continue
        key = normalise_title(item.title or "")
        old = merged.get(key)
        if old is None:
            merged[key] = item
        else:
            merged[key] = Record(
                source_file=old.source_file, line=old.line, source_format=old.source_format,
                title=old.title, authors=old.authors or item.authors,
                abstract=old.abstract or item.abstract, urls=old.urls, raw=old.raw)
    return list(merged.values())


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


def one_per_paper(gold: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page's gold entries with the entries of one title merged into the first, as the
    release merges a paper a page lists twice (a spotlight list and the accepted list): the
    first authors and abstract any of them has."""
    out: dict[str, dict[str, Any]] = {}
    for g in gold:
        key = normalise_title(g["title"])
        old = out.get(key)
        if old is None:
            out[key] = dict(g)
            continue
        for field in ("authors", "abstract"):
            if not old.get(field) and g.get(field):
                old[field] = g[field]
        old["has_abstract"] = bool(old.get("has_abstract") or g.get("has_abstract"))
    return list(out.values())


@dataclass(slots=True)
class Tally:
    """Counts for titles, authors and abstracts over pages."""

    title_tp: int = 0
    title_fp: int = 0
    title_fn: int = 0
    author_tp: int = 0
    author_fp: int = 0
    author_fn: int = 0
    abstracts: int = 0
    abstracts_right: int = 0
    abstracts_wrong: int = 0

    def add(self, page: Page, records: Sequence[Record]) -> None:
        by_title = {normalise_title(r.title or ""): r for r in records}
        seen: set[str] = set()
        for g in one_per_paper(page.gold):
            key = normalise_title(g["title"])
            rec = by_title.get(key)  # (one gold entry per title: `one_per_paper`)
            if rec is None:
                self.title_fn += 1
            else:
                seen.add(key)
                self.title_tp += 1
            gold_authors = {author_key(a) for a in g.get("authors", [])}
            pred_authors = {author_key(a) for a in (rec.authors if rec else ())}
            self.author_tp += len(gold_authors & pred_authors)
            self.author_fp += len(pred_authors - gold_authors)
            self.author_fn += len(gold_authors - pred_authors)
            if g.get("abstract") or g.get("has_abstract"):
                # The seeds' gold says only whether there is an abstract, not its text.
                self.abstracts += 1
                if rec is not None and rec.abstract and (not g.get("abstract") or _norm(
                        rec.abstract) == _norm(g["abstract"])):
                    self.abstracts_right += 1
            elif rec is not None and rec.abstract:
                self.abstracts_wrong += 1
        self.title_fp += len(set(by_title) - seen)

    def scores(self) -> dict[str, Any]:
        def f1(tp: int, fp: int, fn: int) -> dict[str, float]:
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            return {"precision": round(p, 4), "recall": round(r, 4),
                    "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}
        return {
            "titles": f1(self.title_tp, self.title_fp, self.title_fn),
            "authors": f1(self.author_tp, self.author_fp, self.author_fn),
            "abstracts_attached": round(self.abstracts_right / self.abstracts, 4)
            if self.abstracts else 1.0,
            "abstracts": self.abstracts,
            "abstracts_on_entries_without_one": self.abstracts_wrong,
        }


def fold_of(index: int, n_pages: int, folds: int | None) -> int:
    """The fold of the page at `index` (name order): every `folds`-th page together, or each
    page alone (`folds` None: leave-one-page-out)."""
    return index if folds is None else index % min(folds, n_pages)


def fold_members(n_pages: int, folds: int | None) -> list[list[int]]:
    """The page indexes of each fold (`fold_of`)."""
    n = n_pages if folds is None else min(folds, n_pages)
    return [[i for i in range(n_pages) if fold_of(i, n_pages, folds) == k] for k in range(n)]


def _fold(pages: Sequence[Page], entry_folds: int, held: list[int]) -> list[list[Record]]:
    """The pages at `held`, each read by models trained on all the other pages (the entry
    model on their own folds: nested, so no model has seen a held page)."""
    rest = [p for i, p in enumerate(pages) if i not in held]
    with tempfile.TemporaryDirectory() as tmp:
        train(rest, Path(tmp), entry_folds)
        taggers = _taggers(Path(tmp))
        return [read_page(pages[i], taggers) for i in held]


def cross_validate(pages: Sequence[Page], workers: int = 1, folds: int | None = None,
                   entry_folds: int = ENTRY_FOLDS) -> dict[str, Any]:
    """Leave-one-page-out (`folds` None), or `folds`-fold by page: each page read by models
    trained on the pages of the other folds (`workers` folds at a time; the figures do not
    depend on it)."""
    members = fold_members(len(pages), folds)
    with ProcessPoolExecutor(workers) as pool:
        read = list(pool.map(partial(_fold, pages, entry_folds), members))
    by_page = {i: records for held, fold in zip(members, read, strict=True)
               for i, records in zip(held, fold, strict=True)}
    total = Tally()
    per_page: dict[str, Any] = {}
    for i, held_page in enumerate(pages):
        tally = Tally()
        tally.add(held_page, by_page[i])
        total.add(held_page, by_page[i])
        per_page[held_page.name] = tally.scores()
    return {"folds": len(members), "pages": len(pages),
            "entries": sum(len(p.gold) for p in pages), **total.scores(),
            "per_page": per_page}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.tools.train_listing",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--cv", action="store_true", help="cross-validated scores, no training")
    ap.add_argument("--folds", type=int, metavar="K",
                    help="with --cv: K folds by page (every K-th page together; `make eval` "
                         "uses 10); without it, leave-one-page-out")
    ap.add_argument("--entry-folds", type=int, default=ENTRY_FOLDS, metavar="K",
                    help=f"folds of the entry model's training data (default {ENTRY_FOLDS}; "
                         "0: no entry model, ten times faster for comparing line features)")
    ap.add_argument("--write", type=Path, help="save the cross-validated figures (JSON)")
    ap.add_argument("--out", type=Path, default=MODEL_DIR, help="model folder")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                    help="folds trained at a time (default: 2, or 1 on one CPU)")
    args = ap.parse_args(argv)
    pages = load_pages()
    started = time.perf_counter()
    if args.cv:
        report = cross_validate(pages, args.workers, args.folds, args.entry_folds)
        report["command"] = " ".join(
            ["python -m pipeline.tools.train_listing --cv"]
            + ([f"--folds {args.folds}"] if args.folds is not None else [])
            + ([f"--entry-folds {args.entry_folds}"] if args.entry_folds != ENTRY_FOLDS else []))
        report["entry_folds"] = args.entry_folds
        text = json.dumps(report, indent=2, sort_keys=True) + "\n"
        if args.write:
            args.write.write_text(text, encoding="utf-8")
        brief = {k: report[k] for k in ("titles", "authors", "abstracts_attached")}
        how = "leave-one-page-out" if args.folds is None else f"{report['folds']}-fold by page"
        print(f"listing pages, {how} over {len(pages)} pages "
              f"({report['entries']} entries): {json.dumps(brief)}")
    else:
        train(pages, args.out, args.entry_folds, args.workers)
        sizes = {f.name: f.stat().st_size for f in sorted(args.out.glob("*.crfsuite"))}
        print(f"trained on {len(pages)} pages -> {args.out}: {sizes}")
    print(f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
