"""Fast paths of extract equal the plain computation they replace, on any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.segment import _DIGIT, digit_sentences, find_digit, split_sentences

_SENTENCE_CHARS = st.sampled_from(
    list(" .!?\"'()[]\n”’“‘AZaz09e.g.vs.Fig.al.") + ["e.g. ", "3.5", " 1. ", "U.S. ", "٣"])


def _digit_sentences_plain(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in split_sentences(text)
            if _DIGIT.search(text, s.start, s.end)]


@given(st.lists(_SENTENCE_CHARS, max_size=60).map("".join))
def test_digit_sentences_are_the_split_sentences_with_a_digit(text: str) -> None:
    assert [(s.start, s.end) for s in digit_sentences(text)] == _digit_sentences_plain(text)


def test_digit_sentences_on_abstract_text() -> None:
    text = ("We study 3 tasks. Fig. 2 shows e.g. a 4.5% gain vs. prior work! No digits "
            "here. \"Quoted 7.\" (Also 8.) Last one 9")
    assert [(s.start, s.end) for s in digit_sentences(text)] == _digit_sentences_plain(text)
    assert [text[s.start:s.end] for s in digit_sentences(text)][0] == "We study 3 tasks."


@given(st.text(max_size=40), st.integers(0, 45))
def test_find_digit(text: str, pos: int) -> None:
    m = _DIGIT.search(text, pos)
    assert find_digit(text, pos) == (m.start() if m else -1)


def _fixture_abstracts() -> list[str]:
    import json
    from pathlib import Path

    fix = Path(__file__).parent / "fixtures"
    with (fix / "formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl").open() as fh:
        texts = [json.loads(line)["abstract"] for line in fh]
    hf = json.loads((fix / "formats/hf/daily_papers_2024-10-25.json").read_text())
    texts += [p["paper"]["summary"] for p in hf]
    for page in sorted((fix / "seeds").glob("*.txt")):
        texts += [ln for ln in page.read_text().splitlines() if len(ln) > 300]
    return texts


def test_metrics_in_digit_sentences_are_those_of_the_whole_text() -> None:
    from pipeline.extract.tag import _metrics_stay_in_sentences, tag_metrics

    assert _metrics_stay_in_sentences()
    for text in _fixture_abstracts():
        spans = [(s.start, s.end) for s in digit_sentences(text)]
        whole = [t for t in tag_metrics(text)
                 if any(s <= t.start and t.end <= e for s, e in spans)]
        assert tag_metrics(text, spans) == whole


# The relative-unit test as one `regex` search: `tag.relative_hint` asks the pattern file
# instead (pre-scanned by Hyperscan with the other sentence-level files).
_RELATIVE_HINT_PLAIN = r"[%×]|\d\s?[xX]\b|\b(?:times|fold|points?|pp|percent)\b"


def _hint_cases() -> list[str]:
    return ["a 3x speed-up", "3 X", "3 x", "3xl", "12%", "2× faster", "ten times", "timesteps",
            "5-fold", "foldable", "2 points", "pointsize", "+3 pp", "approach 3", "percent",
            "percentage 3", "٣x", "3\u00a0x", "3\nx", "Times 4", "PP 4", "3 pp.", "x3"]


@given(st.lists(st.sampled_from([*_hint_cases(), " ", "a", "é", "_", "3", "x", "%"]),
                max_size=8).map("".join), st.integers(0, 5), st.integers(0, 5))
def test_relative_hint_is_the_plain_search(text: str, a: int, b: int) -> None:
    import regex

    from pipeline.extract.tag import relative_hint

    start, end = min(a, len(text)), max(len(text) - b, min(a, len(text)))
    want = regex.compile(_RELATIVE_HINT_PLAIN).search(text, start, end) is not None
    assert relative_hint(text, start, end) == want


def test_relative_hint_on_real_sentences() -> None:
    import regex

    from pipeline.extract.tag import relative_hint

    plain = regex.compile(_RELATIVE_HINT_PLAIN)
    n = 0
    for text in [*_fixture_abstracts(), *_hint_cases()]:
        for s in digit_sentences(text):
            got = relative_hint(text, s.start, s.end)
            assert got == (plain.search(text, s.start, s.end) is not None), text[s.start:s.end]
            n += got
    assert n > 20
