"""`diff` reports exactly the papers and claims added, removed and changed between two
releases: a release against itself is empty, and the diff is symmetric (added <-> removed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_load import sample_rows, write_sample_release

from pipeline.cli import main
from pipeline.tools.diff import diff_claims, diff_release_dirs, diff_releases, render_diff


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("diff")
    return write_sample_release(base / "v1"), write_sample_release(base / "v2", "v2")


def test_release_against_itself_is_empty(releases: tuple[Path, Path]) -> None:
    d = diff_release_dirs(releases[0], releases[0])
    assert d.is_empty()
    assert "No paper or claim changed." in render_diff(d)


def test_added_removed_changed(releases: tuple[Path, Path]) -> None:
    d = diff_release_dirs(*releases)
    assert [p["paper_id"] for p in d.papers_added] == ["arxiv:2307.08698"]
    assert [p["paper_id"] for p in d.papers_removed] == ["title:77aa0c9e1d2b3c4f"]
    assert [(c.paper_id, c.fields) for c in d.papers_changed] == [
        ("title:1f3a9c0d2b7e4a11", ("authors",))
    ]
    assert sorted(c["value"] for c in d.claims_added) == [1.74, 5.26]
    assert d.claims_removed == ()
    [change] = d.claims_changed
    assert change.fields == ("value",)
    assert (change.old["value"], change.new["value"], change.new["steps"]) == (2.24, 2.2, 2)
    text = render_diff(d)
    assert d.old_version and d.new_version and f"from {d.old_version} to {d.new_version}" in text
    assert "| `papers` | 5 | 5 |" in text and "| `results` | 10 | 12 |" in text
    assert "## Papers added (1)\n\n- `arxiv:2307.08698` Flow Matching in Latent Space" in text
    assert "authors (+Ming-Yu Liu)" in text
    assert "`arxiv:2310.14189` FID on CIFAR-10 (proposed, 2 steps): value 2.24 → 2.2" in text
    assert '"state-of-the-art FID of 1.74 on CIFAR-10"' in text


def test_diff_is_symmetric(releases: tuple[Path, Path]) -> None:
    fwd, back = diff_release_dirs(*releases), diff_release_dirs(*reversed(releases))
    assert fwd.papers_added == back.papers_removed
    assert fwd.claims_added == back.claims_removed
    assert [(c.old, c.new) for c in fwd.claims_changed] == [
        (c.new, c.old) for c in back.claims_changed
    ]


def test_same_key_claims_pair_up_and_extras_are_added() -> None:
    base = {
        "paper_id": "p",
        "metric": "FID",
        "dataset": "CIFAR-10",
        "resolution": None,
        "role": "proposed",
        "steps": None,
        "setting": None,
        "model": None,
        "unit": None,
    }
    old = [{**base, "value": 2.0, "evidence": "a"}, {**base, "value": 3.0, "evidence": "b"}]
    new = [
        {**base, "value": 3.0, "evidence": "b"},
        {**base, "value": 2.5, "evidence": "a"},
        {**base, "value": 9.0, "evidence": "c"},
    ]
    added, removed, changed = diff_claims(old, new)
    assert [c.fields for c in changed] == [("value",)]
    assert (changed[0].old["value"], changed[0].new["value"]) == (2.0, 2.5)
    assert [a["value"] for a in added] == [9.0] and removed == []


claim = st.fixed_dictionaries(
    {
        "paper_id": st.sampled_from(["a", "b"]),
        "metric": st.sampled_from(["FID", "IS"]),
        "dataset": st.sampled_from([None, "CIFAR-10"]),
        "resolution": st.sampled_from([None, 64]),
        "role": st.just("proposed"),
        "steps": st.sampled_from([None, 1]),
        "setting": st.none(),
        "model": st.none(),
        "value": st.sampled_from([1.0, 2.0]),
        "unit": st.none(),
        "evidence": st.sampled_from(["x", "y"]),
    }
)


@given(st.lists(claim, max_size=8), st.lists(claim, max_size=8))
def test_counts_balance(old: list[dict], new: list[dict]) -> None:
    added, removed, changed = diff_claims(old, new)
    unchanged_old = len(old) - len(removed) - len(changed)
    unchanged_new = len(new) - len(added) - len(changed)
    assert unchanged_old == unchanged_new >= 0
    assert diff_claims(old, old) == ([], [], [])


def test_pure_core_on_rows() -> None:
    v1, v2 = sample_rows(), sample_rows("v2")
    d = diff_releases(v1, v2, old_version="a", new_version="b")
    assert len(d.claims_added) == 2 and d.old_version == "a"
    text = render_diff(d, limit=1)
    assert text.count("- `") == 5  # one line for each of the five non-empty sections
    assert "- … and 1 more (`python -m pipeline diff` lists all)" in text


def test_cli_text_json_and_exit_code(
    releases: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = map(str, releases)
    assert main(["diff", old, new]) == 0
    assert "## Claims changed (1)" in capsys.readouterr().out
    assert main(["diff", old, new, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["claims"]["added"]) == 2 and data["table_rows"]["results"]["new"] == 12
    assert main(["diff", old, new, "--exit-code"]) == 1
    assert main(["diff", old, old, "--exit-code"]) == 0


def test_cli_not_a_release_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(tmp_path), str(tmp_path)]) == 1
    assert "not a paperclaims release" in capsys.readouterr().err


def test_diff_against_tables_in_memory_equals_reading_the_folder(
    releases: tuple[Path, Path],
) -> None:
    from test_load import sample_tables

    from pipeline.tools.diff import diff_against

    manifest = json.loads((releases[1] / "manifest.json").read_text())
    assert diff_against(releases[0], sample_tables("v2"), manifest) == diff_release_dirs(*releases)
