"""The bench corpus is deterministic, is an arXiv snapshot the pipeline reads, and holds about the
seeds' density of result claims; `python -m bench.run` measures what the README reports."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import build, corpus_path
from pipeline.extract import extract_paper
from pipeline.ingest import read_input, scan_inputs
from pipeline.normalise.dedup import merge_records
from pipeline.records import Record

ROOT = Path(__file__).resolve().parent.parent


def _results_per_abstract(raw: Path) -> float:
    records = [
        r for f in scan_inputs(raw) for r in read_input(raw, f) if isinstance(r, Record)
    ]
    papers = [p for p in merge_records(records).papers if p.abstract]
    return sum(len(extract_paper(p).results) for p in papers) / len(papers)


def test_corpus_is_deterministic_and_unique(tmp_path: Path) -> None:
    a = build(300, tmp_path / "a" / "c.jsonl")
    b = build(300, tmp_path / "b" / "c.jsonl")
    assert a.read_bytes() == b.read_bytes()
    rows = [json.loads(line) for line in a.read_text().splitlines()]
    assert len({r["id"] for r in rows}) == len({r["title"] for r in rows}) == 300
    assert corpus_path(300, tmp_path) == corpus_path(300, tmp_path)
    assert build(300, tmp_path / "c.jsonl", seed=1).read_bytes() != a.read_bytes()


def test_corpus_is_an_arxiv_snapshot_with_the_seeds_claim_density(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    build(400, raw / "arxiv.jsonl")
    (f,) = scan_inputs(raw)
    assert f.format == "arxiv_jsonl"
    corpus = _results_per_abstract(raw)
    seeds = _results_per_abstract(ROOT / "data/raw")
    # "On the order of the seeds": within a factor of two either way.
    assert 0.5 < corpus / seeds < 2, (corpus, seeds)


@pytest.mark.slow
def test_bench_run_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--sizes", "300", "--corpus-dir", str(tmp_path),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["machine"]["cores"] >= 1
    (r,) = doc["results"]
    assert r["abstracts"] == 300
    for run in ("cold", "warm"):
        assert r[run]["peak_rss_mb"] > 0 and r[run]["cpu_s"] > 0
        stages = {k for k in r[run]["stages_s"] if "." not in k}
        assert stages == {"ingest", "normalise", "extract", "validate", "publish"}
    assert "publish.card" in r["cold"]["stages_s"]
    # Memory is attributed to the stage that ran (from the pipeline's summary lines).
    peaks = r["cold"]["stage_peak_rss_mb"]
    assert set(peaks) <= {"ingest", "normalise", "extract", "validate", "publish"}
    assert {"ingest", "publish"} <= set(peaks)
    assert max(peaks.values()) == r["cold"]["peak_rss_mb"]
    assert math.isclose(r["abstracts_per_s"], 300 / r["cold"]["wall_s"], rel_tol=0.01)
    assert r["floor_read_parse_s"] > 0 and r["ratio_to_floor"] > 1
    assert "| 300 |" in proc.stdout
