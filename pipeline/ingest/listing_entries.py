"""Which entries of a listing page are papers (`listing_entries`).

The line model labels lines one at a time, with a few neighbours; it cannot see that a page
whose entries all have authors also has a few bare lines that are its section headings ("Computer
Vision", "ML News Week 14"), speaker bios or affiliations. A third CRF (python-crfsuite, trained
by `make train`, `pipeline/tools/train_listing.py`) reads the sequence of a page's entries,
each described by its own shape (title length and casing, which fields it has, a person's
name or an organisation for a title, words seen in titles) and by the page's (how many of
its entries have authors or an abstract, whether the entry has the page's usual shape,
whether its opening words open other titles of the page), and labels each `P` (a paper) or
`N` (not one). An entry whose `N` marginal is at least `DROP_AT` is not a paper, unless it has
a title-shaped title and an authors line (`named_paper`): the reader quarantines it
(`PC112-not-a-paper-entry`), with its lines, instead of publishing it.

The features are pure functions of `EntryShape`s, so the model is trained on the entries the
line and segment models make of pages they were not trained on (`train_listing`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from pipeline.crf import ModelTagger
from pipeline.ingest import listing_rules as rules

ENTRY_MODEL = "listing_entries.crfsuite"
PAPER = "P"
NOT_A_PAPER = "N"
DROP_AT = 0.65
"""The `N` marginal from which an entry is not a paper. 10-fold by page, nested, on the 127
training pages (seen: chosen on them): titles F1 0.8615 at 0.5, 0.8605 at 0.6, 0.8629 at
0.4 with more authors lost; 0.6 because 0.5 quarantined a seed paper ("Order-Preserving
GFlowNets", 0.51), and the seeds stay exact (models/README.md). 0.65 from stop 50: the
169-page model read the last entry of seed page 000 ("Periodic agent-state based Q-learning
for POMDPs", a title and one name) at 0.61."""
BATCH = 2000
"""Entries judged together: a page's entries, or runs of this many on a longer page."""
_WORD_EDGES = ".,:;()[]\"'“”‘’"
_WORD_BINS = ((1, "1"), (2, "2"), (3, "3"), (5, "4-5"), (8, "6-8"), (12, "9-12"), (20, "13-20"))
_REPEATED = 3
"""Titles of a page opening with the same words that make a repeated opening."""


@dataclass(frozen=True, slots=True)
class EntryShape:
    """What the entry model sees of an entry."""

    title: str
    line: int
    lines: int
    authors: bool
    abstract: bool
    urls: bool


class MarginalTagger(Protocol):
    """A trained CRF that labels a sequence and gives each label's marginal."""

    def tag(self, xseq: Sequence[dict[str, float]]) -> list[str]: ...

    def marginal(self, label: str, index: int) -> float: ...


@cache
def entry_tagger() -> MarginalTagger:
    """The shipped entry model."""
    data = resources.files(__package__).joinpath("models", ENTRY_MODEL).read_bytes()
    return ModelTagger(data)


def _words_bin(n: int) -> str:
    return next((tag for limit, tag in _WORD_BINS if n <= limit), "21+")


def _share_bin(share: float) -> str:
    return "lo" if share < 0.3 else "mid" if share < 0.7 else "hi"


def _edge_word(word: str) -> str:
    return word.casefold().strip(_WORD_EDGES)


def _opening(title: str, n: int) -> str:
    return " ".join(title.casefold().split()[:n])


def _fields(e: EntryShape) -> str:
    return f"{e.authors:d}{e.abstract:d}{e.urls:d}"


def own_features(e: EntryShape) -> dict[str, str]:
    """The entry's own shape, as feature name -> value."""
    words = e.title.split()
    n = len(words)
    caps = sum(w[:1].isupper() for w in words) / n if n else 0.0
    digits = sum(c.isdigit() for c in e.title) / max(1, len(e.title))
    folded = [_edge_word(w) for w in words]
    return {
        "fields": _fields(e), "authors": f"{e.authors:d}", "abstract": f"{e.abstract:d}",
        "urls": f"{e.urls:d}", "lines": str(min(4, e.lines)), "words": _words_bin(n),
        "period": f"{e.title.rstrip().endswith('.'):d}", "colon": f"{':' in e.title:d}",
        "digits": f"{digits > 0.15:d}", "digit0": f"{e.title[:1].isdigit():d}",
        "caps": _share_bin(caps), "first": folded[0] if folded else "",
        "last": folded[-1] if folded else "",
        "org": f"{rules.has_org_word(folded):d}",
        "title_words": str(min(3, sum(w in rules.title_words() for w in folded))),
        "person": f"{rules.is_person_name(e.title):d}",
        "shaped": f"{rules.title_shaped(e.title):d}", "prose": f"{rules.is_prose(e.title):d}",
        "chrome": f"{rules.is_chrome(e.title):d}",
    }


def features(entries: Sequence[EntryShape]) -> list[dict[str, float]]:
    """CRFsuite features of each entry of a page, in page order."""
    own = [own_features(e) for e in entries]
    n = len(entries)
    if not n:
        return []
    with_authors = sum(e.authors for e in entries) / n
    with_abstract = sum(e.abstract for e in entries) / n
    usual = Counter(f["fields"] for f in own).most_common(1)[0][0]
    openings = [Counter(_opening(e.title, k) for e in entries) for k in (1, 2)]
    out = []
    for i, (e, f) in enumerate(zip(entries, own, strict=True)):
        feats = {f"{k}={v}": 1.0 for k, v in f.items()}
        feats[f"page_authors={_share_bin(with_authors)}"] = 1.0
        feats[f"page_abstract={_share_bin(with_abstract)}"] = 1.0
        feats[f"usual={f['fields'] == usual:d}"] = 1.0
        for k, counts in zip((1, 2), openings, strict=True):
            feats[f"repeated{k}={counts[_opening(e.title, k)] >= _REPEATED:d}"] = 1.0
        for side, j in (("prev", i - 1), ("next", i + 1)):
            if 0 <= j < n:
                for key in ("fields", "words", "caps"):
                    feats[f"{side}:{key}={own[j][key]}"] = 1.0
                feats[f"{side}:gap={min(5, abs(entries[j].line - e.line))}"] = 1.0
            else:
                feats[f"{side}:none"] = 1.0
        out.append(feats)
    return out


def named_paper(e: EntryShape) -> bool:
    """A title-shaped title with an authors line: a paper whatever the model says. On the 175
    training pages read by the model trained on them (stop 51), the entries of this shape it
    put at `DROP_AT` or more were all papers, among them the last entry of seed page 000 (a
    title and one name where every other entry has an abstract: 0.72)."""
    return e.authors and rules.title_shaped(e.title)


def not_papers(entries: Sequence[EntryShape], tagger: MarginalTagger | None = None
               ) -> list[float | None]:
    """For each entry, its `N` marginal when that is at least `DROP_AT` (not a paper) and it
    is no `named_paper`, else None."""
    if not entries:
        return []
    tagger = tagger or entry_tagger()
    tagger.tag(features(entries))
    marginals = [tagger.marginal(NOT_A_PAPER, i) for i in range(len(entries))]
    return [m if m >= DROP_AT and not named_paper(e) else None
            for e, m in zip(entries, marginals, strict=True)]
