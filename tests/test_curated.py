"""Curated leaderboard exports become `curated_results`: every row of the real Papers with
Code file lands (one row per value; a multi-part dataset's "(a b)" values split per part),
scores parse ("85.1%", "0.25±0.005", "1,024"), a score that is not a number is quarantined
(PC209) and the row's other metrics kept, and each row is joined to its published paper.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import pipeline_run
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import Reason
from pipeline.publish.curated import curated_rows, dataset_parts, parse_score

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "tests/fixtures/formats/pwc/leaderboard_redditsota.json"


def test_parse_score() -> None:
    assert parse_score("85.1%") == ([85.1], "%")
    assert parse_score("0.25±0.005") == ([0.25], None)
    assert parse_score("2.53 ± 0.40") == ([2.53], None)
    assert parse_score("1,024") == ([1024.0], None)
    assert parse_score("(16.97 15.58)") == ([16.97, 15.58], None)
    assert parse_score("No") is None and parse_score("-") is None and parse_score("") is None
    assert dataset_parts("WMT14(en-fr fr-en)", 2) == ["WMT14 en-fr", "WMT14 fr-en"]
    assert dataset_parts("WMT14(en-fr fr-en)", 3) == ["WMT14(en-fr fr-en)"] * 3


@given(st.text())
def test_parse_score_never_raises(s: str) -> None:
    parsed = parse_score(s)
    assert parsed is None or (parsed[0] and all(isinstance(v, float) for v in parsed[0]))


def test_a_score_that_is_not_a_number_is_quarantined_alone() -> None:
    raw = json.dumps({"task": "QA", "dataset": "SQuAD", "row": {
        "paper_title": "P", "model_name": "M", "metrics": {"EM": "No", "F1": "91.2%"}}})
    rows, rejected = curated_rows(raw, "b.json", 7, "arxiv:1")
    assert [(r["metric"], r["value"], r["unit"], r["model"]) for r in rows] == [
        ("F1", 91.2, "%", "M")]
    (bad,) = rejected
    assert bad.reason == Reason.CURATED_VALUE.value and bad.line == 7
    assert bad.detail.startswith("b.json:7: EM score 'No'")


@pytest.mark.slow
def test_the_real_export_lands_in_curated_results(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / BOARD.name).write_bytes(BOARD.read_bytes())
    for seed in (ROOT / "data/raw").iterdir():
        (raw / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "rel"
    proc = pipeline_run("--raw-dir", str(raw), "--out-dir", str(out),
                        "--work-dir", str(tmp_path / "w"), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    rows = pq.read_table(out / "curated_results.parquet").to_pylist()
    assert sorted({r["line"] for r in rows}) == list(range(1, 33))  # all 32 leaderboard rows
    assert len(rows) == 40  # Multi30k's 4 parts twice, WMT14 and WMT16's 2 parts
    assert {r["task"] for r in rows} >= {"Language Modelling", "Machine Translation", "ASR"}
    cifar = [r for r in rows if r["dataset"] == "CIFAR-10"]
    assert sorted(r["value"] for r in cifar) == [2.31, 3.08, 3.56, 3.58]
    assert all(r["unit"] == "%" and r["metric"] == "Test Error" for r in cifar)
    papers = {p["paper_id"] for p in pq.read_table(out / "papers.parquet").to_pylist()}
    assert all(r["paper_id"] in papers for r in rows)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["curated_results"]["rows"] == 40 and manifest["accounting_holds"]
    # Every curated value is on a board, ranked with the seeds' claims by the same rules.
    boards = pq.read_table(out / "leaderboards.parquet").to_pylist()
    curated = [b for b in boards if b["source"] == "curated"]
    assert len(curated) == 40
    assert {(b["paper_id"], b["value"]) for b in curated} == {
        (r["paper_id"], r["value"]) for r in rows}
    ptb = [b for b in curated if b["dataset"] == "Penn Treebank"]  # "PTB" is an alias
    assert [(b["rank"], b["value"]) for b in ptb] == [
        (1, 35.76), (2, 47.69), (3, 51.1), (4, 52.8), (5, 56.8)]  # perplexity: lower first
    assert all(b["metric"] == "perplexity" and b["task"] == "Language Modelling" for b in ptb)
    assert {b["source"] for b in boards} == {"curated", "abstract"}
