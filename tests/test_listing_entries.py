"""The entry model of listing pages (`pipeline/ingest/listing_entries.py`): its features, and
the reader quarantining what it reads as no paper (PC112) while the papers stay; and the
brackets settled in and after a title (`listing_fields.title_brackets`)."""

from __future__ import annotations

import io
import json
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import Reason
from pipeline.ingest import listing_entries, listing_fields, listing_text
from pipeline.records import Record, Rejected
from pipeline.tools import train_listing
from pipeline.tools.evaluate import normalise_title

PAGES = {p.name: p for p in train_listing.load_pages()}


def _shape(title: str, line: int, authors: bool = True) -> listing_entries.EntryShape:
    return listing_entries.EntryShape(title=title, line=line, lines=2, authors=authors,
                                      abstract=False, urls=False)


def test_features_see_the_page_and_the_neighbours() -> None:
    shapes = [_shape("ML news: Week 14", 1, authors=False),
              *(_shape(f"Learning to Rank {n}", 3 + 3 * n) for n in range(4)),
              _shape("ML news: Week 15", 20, authors=False)]
    feats = listing_entries.features(shapes)
    assert len(feats) == len(shapes)
    assert feats[0]["prev:none"] == 1.0 and feats[-1]["next:none"] == 1.0
    assert feats[0]["usual=0"] == 1.0 and feats[1]["usual=1"] == 1.0
    assert feats[1]["repeated2=1"] == 1.0  # "learning to" opens four titles
    assert feats[0]["repeated2=0"] == 1.0  # "ml news:" opens two
    assert feats[0]["page_authors=mid"] == 1.0
    assert feats[1]["prev:fields=000"] == 1.0 and feats[1]["next:fields=100"] == 1.0
    assert listing_entries.features([]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=80), st.booleans(), st.booleans()),
                max_size=12))
def test_any_titles_get_one_verdict_each(items: list[tuple[str, bool, bool]]) -> None:
    shapes = [listing_entries.EntryShape(title=t, line=i + 1, lines=1, authors=a,
                                         abstract=b, urls=False)
              for i, (t, a, b) in enumerate(items)]
    verdicts = listing_entries.not_papers(shapes)
    assert len(verdicts) == len(shapes)
    assert all(v is None or listing_entries.DROP_AT <= v <= 1.0 for v in verdicts)


class _SureItIsNone:
    """A tagger that reads every entry as no paper, sure of it."""

    def tag(self, xseq: object) -> list[str]:
        return [listing_entries.NOT_A_PAPER] * len(xseq)  # type: ignore[arg-type]

    def marginal(self, label: str, index: int) -> float:
        return 1.0 if label == listing_entries.NOT_A_PAPER else 0.0


def test_a_titled_entry_with_authors_stays_whatever_the_model_says() -> None:
    shapes = [_shape("Periodic agent-state based Q-learning for POMDPs", 1),
              _shape("Periodic agent-state based Q-learning for POMDPs", 4, authors=False),
              _shape("Harvard University", 7),
              _shape("(GAN)", 9)]
    assert listing_entries.named_paper(shapes[0])
    assert not any(listing_entries.named_paper(s) for s in shapes[1:])
    assert listing_entries.not_papers(shapes, _SureItIsNone()) == [None, 1.0, 1.0, 1.0]


def _read(name: str, taggers: listing_text.Taggers | None = None) -> list[Record | Rejected]:
    return list(listing_text.read(io.StringIO(PAGES[name].text), name, taggers))


def test_section_headings_are_quarantined_and_the_papers_stay() -> None:
    # A newsletter archive: each week's heading ("ML news: Week 14") sits above its papers.
    name = "nl_ml_news_of_week_jun25"
    items = _read(name)
    dropped = [i for i in items if isinstance(i, Rejected)
               and i.reason == Reason.NOT_A_PAPER.value]
    titles = [json.loads(i.record)["lines"][0][1] for i in dropped]
    assert "ML news: Week 14 - 20 July" in titles
    assert all(t.startswith("ML news: Week") for t in titles), titles
    week14 = dropped[titles.index("ML news: Week 14 - 20 July")]
    assert week14.detail.startswith(f"{name}:{week14.line}: the entry model reads 'ML news: "
                                    "Week 14' as a heading")
    assert PAGES[name].text.splitlines()[week14.line - 1].startswith("ML news: Week 14")
    published = {normalise_title(i.title or "") for i in items if isinstance(i, Record)}
    assert not {normalise_title(t) for t in titles} & published
    gold = {normalise_title(g["title"]) for g in PAGES[name].gold}
    assert not {normalise_title(t) for t in titles} & gold


def test_without_the_entry_model_every_titled_entry_is_published() -> None:
    name = "nl_ml_news_of_week_jun25"
    judged = _read(name)
    unjudged = _read(name, listing_text.Taggers(judge_entries=False))
    assert not any(isinstance(i, Rejected) for i in unjudged)
    dropped = sum(isinstance(i, Rejected) for i in judged)
    assert dropped > 10
    assert len(unjudged) == len(judged)  # one item per entry either way: nothing lost


def test_seed_pages_lose_no_entry() -> None:
    for name in ("seed_000_2a00aa8dfd2c52e5", "seed_004_2a3305efe35c12b7"):
        assert all(isinstance(i, Record) for i in _read(name)), name


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from("Ab (1)CD:,.-x"), max_size=60),
       st.lists(st.sampled_from("TAO"), max_size=12))
def test_title_brackets_settle_only_brackets(line: str, tags: list[str]) -> None:
    segs = listing_fields.segments(line)
    tags = (tags + ["O"] * len(segs))[:len(segs)]
    kept = listing_fields.title_brackets(segs, tags)
    assert len(kept) == len(tags)
    for seg, k, t in zip(segs, kept, tags, strict=True):
        if k == "T" and t != "T":  # a bracket joins the title
            assert seg.text.startswith("(") and seg.text.endswith(")"), seg
        elif k != t:  # names or links closing it leave it
            assert t == "T" and k in ("A", "O"), (seg, t, k)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"Ab Cd,.|-()\t&·:;", "Ann Lee", "Gianni Franchi", " et al.,",
                                 " and ", "Deep Kernel Processes ", "T. "]), max_size=20))
def test_segments_are_the_line_in_order(pieces: list[str]) -> None:
    line = "".join(pieces)
    segs = listing_fields.segments(line)
    assert all(s.text and s.text == line[s.start:s.end] for s in segs)
    assert all(a.end <= b.start for a, b in pairwise(segs))
