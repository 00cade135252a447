"""The batch pass (`extract.batch.kept_for`) works out ahead what `extract_paper` asks of
the big automata; a paper's extraction is the same inside a batch as alone, and inside
the batch those answers are read, not worked out again."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_extract_prefilter import TEXTS
from test_extract_prescan import _TEXT

from pipeline.extract import extract_paper, kept_for, prescan, resources
from pipeline.extract.segment import digit_sentences
from pipeline.extract.tag import _dataset_pass
from pipeline.records import Paper


def _paper(i: int, text: str) -> Paper:
    return Paper(paper_id=f"p{i}", title=f"A title {i}", authors=(), abstract=text,
                 source_file="t.jsonl", source_format="arxiv-jsonl", line=i + 1)


def _alone(texts: list[str]) -> list[Any]:
    return [extract_paper(_paper(i, t)) for i, t in enumerate(texts)]


def _batched(texts: list[str]) -> list[Any]:
    papers = [_paper(i, t) for i, t in enumerate(texts)]
    with kept_for([p.abstract for p in papers if isinstance(p.abstract, str)]):
        return [extract_paper(p) for p in papers]


def test_real_abstracts_give_the_same_extraction_in_a_batch() -> None:
    # Repeated and empty texts too: a batch may hold the same abstract twice.
    texts = [*TEXTS, *TEXTS[:5], ""]
    alone = _alone(texts)
    assert sum(len(x.results) for x in alone) > 50
    assert _batched(texts) == alone


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=6))
def test_edited_texts_give_the_same_extraction_in_a_batch(texts: list[str]) -> None:
    assert _batched(texts) == _alone(texts)


def test_inside_the_batch_the_kept_answers_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [t for t in TEXTS if prescan.text_mode(t)]
    intro = resources.patterns("dataset_intro").prescan
    shared = resources.patterns(resources.SHARED_SCANS[0]).prescan
    assert intro is not None and shared is not None
    batch_automata = {id(a) for v in (intro, shared) for a in (v.prescan.exact, v.prescan.wide)}
    scans: list[tuple[int, int, int]] = []
    finds: list[str] = []
    scan = prescan._Automaton._scan
    find = resources.Matcher.find

    def counted_scan(self: Any, text: str, start: int, end: int) -> list[int]:
        scans.append((id(self), start, end))
        return scan(self, text, start, end)

    gazetteer = _dataset_pass(resources.datasets())[0]

    def counted_find(self: Any, text: str) -> list[tuple[int, int, int]]:
        if self is gazetteer:
            finds.append(text)
        return find(self, text)

    monkeypatch.setattr(prescan._Automaton, "_scan", counted_scan)
    monkeypatch.setattr(resources.Matcher, "find", counted_find)
    papers = [_paper(i, t) for i, t in enumerate(texts)]
    with kept_for(texts):
        kept_scans, kept_finds = len(scans), len(finds)
        assert kept_scans > len(texts) and kept_finds == len(texts)
        results = [extract_paper(p) for p in papers]
    assert sum(len(r.results) for r in results) > 10
    # The whole-text dataset-introduction scan, the sentence scans and the gazetteer
    # pass of every paper were answered from the batch pass (titles are not in it).
    assert not {resources.fold(t) for t in texts} & set(finds[kept_finds:])
    in_texts = {(0, len(t)) for t in texts} | {
        (s.start, s.end) for t in texts for s in digit_sentences(t)}
    late = [(start, end) for a, start, end in scans[kept_scans:] if a in batch_automata]
    assert not in_texts & set(late)


def test_kept_answers_are_those_of_a_fresh_scan() -> None:
    texts = [t for t in TEXTS if prescan.text_mode(t)][:60]
    shared = resources.patterns(resources.SHARED_SCANS[0]).prescan
    assert shared is not None
    pre = shared.prescan
    with kept_for(texts):
        kept = {(t, s.start, s.end): list(pre.candidates(t, s.start, s.end,
                                                           prescan.text_mode(t)))
                for t in texts for s in digit_sentences(t)}
    assert kept
    for (t, start, end), got in kept.items():
        auto = pre.exact if prescan.text_mode(t) == 1 else pre.wide
        assert got == auto._scan(t, start, end)


def test_the_batch_pass_forgets_its_texts() -> None:
    texts = TEXTS[:3]
    with kept_for(texts):
        assert resources.text_state(texts[0]).kept
    assert not resources._kept
    assert not resources.text_state(texts[0]).kept
