"""A batch pass ahead of `extract_paper`: the big automata run over a whole batch of
abstracts, one engine after another, and their answers are kept for the per-paper pass.

Asked one abstract at a time, between Python work that fills the CPU's cache with other
things, the gazetteer automaton (a DFA of a few MB) and the Hyperscan automata were read
from memory, not cache: ~2.5x and ~2x what the same passes cost back to back. What is
kept is exactly what the per-paper pass would compute (the same functions, by the text's
content), so a paper's extraction does not depend on its batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.extract import resources
from pipeline.extract.segment import Span, digit_sentences
from pipeline.extract.tag import keep_dataset_hits


def sentences_of(text: str) -> list[Span]:
    """`digit_sentences(text)`, as kept by the batch pass when there was one."""
    kept = resources.text_state(text).kept.get("sentences")
    return kept if kept is not None else digit_sentences(text)


@contextmanager
def kept_for(texts: list[str]) -> Iterator[None]:
    """Within the block, `extract_paper` on papers with these abstracts reads the batch
    pass's answers: folds, gazetteer hits, sentences with a digit, and the pre-scans of
    the whole text (dataset introductions) and of those sentences (the shared files)."""
    texts = [t for t in texts if t]
    states = resources.kept_states(texts)
    intro = resources.patterns("dataset_intro").prescan
    shared = resources.patterns(resources.SHARED_SCANS[0]).prescan
    try:
        keep_dataset_hits(texts)
        for st in states:
            st.kept["sentences"] = digit_sentences(st.text)
        scanned = [st for st in states if st.mode]
        if intro is not None:
            intro.prescan.keep([(st.text, st.mode, [(0, len(st.text))]) for st in scanned])
        if shared is not None:
            shared.prescan.keep([(st.text, st.mode, [(s.start, s.end)
                                                     for s in st.kept["sentences"]])
                                 for st in scanned if st.kept["sentences"]])
        yield
    finally:
        resources.forget_states()
        for view in (intro, shared):
            if view is not None:
                view.prescan.forget()
