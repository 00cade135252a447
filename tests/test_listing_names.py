"""Person-name words, a feature of the listing models (`pipeline/ingest/listing_names.py`)."""

from __future__ import annotations

from importlib import resources

from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest import listing_names as names
from pipeline.tools import build_given_names


def test_given_and_pinyin_names_are_person_words() -> None:
    for w in ("Martin", "Aaron", "Haotian", "Mengqing", "Zhang", "Shuicheng", "Wei,"):
        assert names.is_person_word(w), w
    for w in ("Learning", "Marginal", "Dense", "Guide", "Network", "LLMs", "CNN", "x", "Zhang3"):
        assert not names.is_person_word(w), w
    assert names.person_ratio("Pola Schwobel, Martin Jorgensen".split()) == 0.5
    assert names.person_ratio("Last Layer Marginal Likelihood for Invariance".split()) == 0.0


def test_the_shipped_lists() -> None:
    text = (resources.files("pipeline.ingest")
            .joinpath("listing_given_names.txt").read_text(encoding="utf-8"))
    rows = [r for r in text.splitlines() if not r.startswith("#")]
    assert rows == sorted(set(rows)) and len(rows) > 20000
    assert not {r.casefold() for r in rows} & {"learning", "network", "neural"}
    assert len(names.pinyin_syllables()) == 405


def test_the_builder_reads_first_name_tuples_only() -> None:
    source = ('first_names_female = ("Anna", "Zoë", "Ünal", "x", "Two Words", "Łucja")\n'
              'last_names = ("Smith",)\nfirst_romanized_names = ("Haruto",)\n')
    assert build_given_names.names_in_source(source) == {"Anna", "Zoë", "Ünal", "Łucja",
                                                         "Haruto"}


@given(st.text(max_size=30))
def test_any_word_is_read_without_error(word: str) -> None:
    assert isinstance(names.is_person_word(word), bool)
