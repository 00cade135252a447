"""`explain` traces every claim of a paper to its words: the evidence is marked inside the
abstract and the number inside the evidence, as brackets or ANSI colour, never both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_load import DDO, DDO_EV, sample_rows, write_sample_release

from pipeline.cli import main
from pipeline.errors import InputError
from pipeline.tools.explain import (
    explain,
    match_papers,
    merge_spans,
    render_explanation,
    value_span,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _flat(text: str) -> str:
    """Output with its line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_release(tmp_path_factory.mktemp("explain") / "release")


def _ddo() -> tuple[dict, list[dict]]:
    rows = sample_rows()
    paper = rows["papers"][0]
    return paper, [r for r in rows["results"] if r["paper_id"] == paper["paper_id"]]


def test_evidence_is_bracketed_inside_the_abstract_and_numbers_inside_evidence() -> None:
    paper, claims = _ddo()
    text = render_explanation(paper, claims, [], color=False)
    flat = _flat(text)
    assert "\x1b[" not in text
    assert paper["title"] in text and "Kaiwen Zheng, Yongxin Chen" in text
    assert "title:1f3a9c0d2b7e4a11" in text and "004_seed.txt:47" in text
    # One evidence span supports four claims: marked once, followed by their numbers.
    assert _flat(f"EDM, [[{DDO_EV}]][1,2,3,4], and") in flat
    # Claims in reading order, each with its own number highlighted in the evidence.
    assert flat.index("[1] FID 1.79 on CIFAR-10 (baseline, model EDM)") < flat.index(
        "[3] FID 1.30 on CIFAR-10 (proposed)"
    )
    assert "new records of [[1.30]]/0.97" in flat
    assert "from [[1.79]]/1.58" in flat


def test_color_uses_ansi_and_no_brackets() -> None:
    paper, claims = _ddo()
    text = render_explanation(paper, claims, [], color=True)
    assert "\x1b[1;33m" in text and "[[" not in text
    plain = ANSI.sub("", text)
    assert _flat(DDO_EV) in _flat(plain)
    assert "\x1b[1;30;43m1.30\x1b[0m" in text


def test_offsets_that_drifted_fall_back_to_a_verbatim_search() -> None:
    paper, claims = _ddo()
    moved = [{**claims[0], "start": 0, "end": 5}]
    flat = _flat(render_explanation(paper, moved, [], color=False))
    assert f"[[{_flat(DDO_EV)}]][1]" in flat
    # Evidence that is not in the abstract is still listed, just not marked in it.
    alien = [{**claims[0], "evidence": "FID 1.79 somewhere else", "start": 0, "end": 3}]
    flat = _flat(render_explanation(paper, alien, [], color=False))
    assert "]][1]" not in flat and '"FID [[1.79]] somewhere else"' in flat


def test_paper_without_abstract_claims_or_links() -> None:
    paper = {**sample_rows()["papers"][4]}
    text = render_explanation(paper, [], [], color=False)
    assert "Abstract: none in the source." in text
    assert "Claims: none extracted." in text
    assert "links:    none found" in text
    assert "authors:  (none listed)" in text


def test_code_links_listed_code_first() -> None:
    paper = sample_rows()["papers"][1]
    links = [
        {"url": "https://example.org/pfgm", "kind": "project"},
        {"url": "https://github.com/newbeeer/pfgmpp", "kind": "code"},
    ]
    text = render_explanation(paper, [], links)
    assert text.index("github.com/newbeeer/pfgmpp (code)") < text.index("(project)")
    assert "https://arxiv.org/abs/2302.04265" in text


def test_match_by_id_arxiv_id_exact_title_and_substring() -> None:
    papers = sample_rows()["papers"]
    assert [p["paper_id"] for p in match_papers(papers, "arxiv:2302.04265")] == [
        "arxiv:2302.04265"
    ]
    assert [p["paper_id"] for p in match_papers(papers, "2302.04265")] == ["arxiv:2302.04265"]
    assert len(match_papers(papers, "  CONSISTENCY   models ")) == 2
    exact = match_papers(papers, "improved techniques for training consistency models")
    assert [p["paper_id"] for p in exact] == ["arxiv:2310.14189"]
    assert match_papers(papers, "no such paper") == []
    assert match_papers(papers, "   ") == []


@given(
    prefix=st.text(alphabet="abc FID=/(", max_size=20),
    value=st.floats(min_value=0, max_value=99999, allow_nan=False),
    digits=st.integers(min_value=0, max_value=3),
)
def test_value_span_finds_the_number_as_written(prefix: str, value: float, digits: int) -> None:
    written = f"{value:.{digits}f}"
    text = f"{prefix} {written} on CIFAR-10"
    span = value_span(text, float(written))
    assert span is not None
    assert float(text[span[0] : span[1]]) == float(written)


@given(st.text(max_size=80), st.floats(allow_nan=False, allow_infinity=False))
def test_value_span_never_crashes(text: str, value: float) -> None:
    span = value_span(text, value)
    assert span is None or 0 <= span[0] < span[1] <= len(text)


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20), st.integers(1, 9))))
def test_merged_spans_are_disjoint_and_cover_every_span(spans: list) -> None:
    spans = [(s, s + n, label) for s, n, label in spans]
    merged = merge_spans(spans)
    for (_, e1, _), (s2, _, _) in zip(merged, merged[1:], strict=False):
        assert e1 <= s2
    for s, e, label in spans:
        assert any(ms <= s and e <= me and label in labels for ms, me, labels in merged)


def test_explain_reads_only_the_paper_from_a_release(release: Path) -> None:
    text = explain(release, "Direct Discriminative Optimization")
    assert _flat(f"[[{DDO_EV}]]") in _flat(text)
    assert DDO[:40] in text
    with pytest.raises(InputError, match="matches 2 papers"):
        explain(release, "consistency")
    with pytest.raises(InputError, match="no paper"):
        explain(release, "zzz")


def test_cli_ambiguous_title_lists_candidates_and_exits_1(
    release: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "consistency", "--release", str(release)]) == 1
    err = capsys.readouterr().err
    assert "arxiv:2310.14189  Improved Techniques for Training Consistency Models" in err
    assert "Improved Training Technique for Latent Consistency Models" in err


def test_cli_color_flags(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "pfgm", "--release", str(release), "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "[[with FID scores of 1.91/2.43 when D=2048/128]][1,2]" in _flat(out)
    assert "\x1b[" not in out
    assert main(["explain", "pfgm", "--release", str(release), "--color"]) == 0
    assert "\x1b[1;33m" in capsys.readouterr().out
    # Not a terminal and no flag: brackets.
    assert main(["explain", "arxiv:2302.04265", "--release", str(release)]) == 0
    assert "[[" in capsys.readouterr().out


def test_cli_missing_release_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "x", "--release", str(tmp_path)]) == 1
    assert "not a paperclaims release" in capsys.readouterr().err


def test_a_short_name_prefers_the_paper_it_names() -> None:
    papers = [
        {"paper_id": "p1", "title": "SiT: Exploring Flow and Diffusion-based Generative Models"},
        {"paper_id": "p2", "title": "Visiting Transformers: A Study"},
        {"paper_id": "p3", "title": "Fast SiT Sampling for Images"},
        {"paper_id": "p4", "title": "Positional Encodings - A Survey"},
    ]
    assert [p["paper_id"] for p in match_papers(papers, "SiT")] == ["p1"]  # its name
    assert [p["paper_id"] for p in match_papers(papers, "sit sampling")] == ["p3"]  # a phrase
    assert [p["paper_id"] for p in match_papers(papers, "isiting")] == ["p2"]  # any part
    assert [p["paper_id"] for p in match_papers(papers, "positional encodings")] == ["p4"]
