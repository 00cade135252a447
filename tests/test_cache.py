"""Incremental re-runs: unchanged inputs reuse every stage's output; changing one input file
re-reads only that file (its ingest part), re-repairs only its chunks and re-extracts only
the batches whose papers changed, and the release equals a fresh run's."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import Config
from pipeline.records import StageResult
from pipeline.runner import run_all

ROOT = Path(__file__).resolve().parent.parent
ARXIV = ROOT / "tests/fixtures/formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl"
BATCH = 7


def _raw(tmp: Path) -> Path:
    raw = tmp / "raw"
    shutil.copytree(ROOT / "data/raw", raw)
    shutil.copy(ARXIV, raw / "arxiv.jsonl")
    return raw


def _run(raw: Path, work: Path, out: Path) -> dict[str, StageResult]:
    cfg = Config(raw_dir=raw, work_dir=work, out_dir=out, workers=1, batch_size=BATCH)
    return {r.stage: r for r in run_all(cfg)}


def _shas(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {t: v["sha256"] for t, v in manifest["tables"].items()}


def _batches(papers: Path, files: set[str] | None = None) -> int:
    """Extract batches of these source files (all when None): batches never span files."""
    column = pq.read_table(papers, columns=["source_file"]).column("source_file")
    counts = pc.value_counts(column).to_pylist()
    return sum(
        math.ceil(c["counts"] / BATCH) for c in counts if files is None or c["values"] in files
    )


def test_unchanged_inputs_reuse_every_stage(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    first = _run(raw, tmp_path / "work", tmp_path / "out1")
    assert first["ingest"].counts["files_read"] == 3
    assert "cached" not in first["extract"].counts
    again = _run(raw, tmp_path / "work", tmp_path / "out2")
    for stage in ("ingest", "normalise", "extract", "validate"):
        assert again[stage].counts.get("cached") == 1, stage
    assert again["publish"].counts["reused"] == 1
    assert _shas(tmp_path / "out1") == _shas(tmp_path / "out2")
    assert (tmp_path / "out2" / "README.md").read_bytes() == (
        tmp_path / "out1" / "README.md"
    ).read_bytes()


def test_one_changed_file_is_the_only_one_reprocessed(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    work = tmp_path / "work"
    _run(raw, work, tmp_path / "out1")
    papers = work / "normalise" / "papers.parquet"
    n_batches = _batches(papers)

    # Change one abstract of the arXiv file (no new duplicate, same number of records).
    lines = (raw / "arxiv.jsonl").read_text().splitlines()
    record = json.loads(lines[3])
    record["abstract"] = "We reach an FID of 1.23 on ImageNet 256x256 with 8 steps."
    lines[3] = json.dumps(record)
    (raw / "arxiv.jsonl").write_text("\n".join(lines) + "\n")

    res = _run(raw, work, tmp_path / "out2")
    assert res["ingest"].counts["files_read"] == 1
    assert res["ingest"].counts["files_reused"] == 2
    assert res["normalise"].counts["chunks_repaired"] == 1
    assert res["normalise"].counts["chunks_reused"] == 2
    assert 1 < _batches(papers, {"arxiv.jsonl"}) < n_batches
    # Batches are keyed by content: of the changed file, only the batch holding the
    # changed record differs.
    assert res["extract"].counts["batches_extracted"] == 1
    assert res["extract"].counts["batches_reused"] == n_batches - 1
    assert res["publish"].counts["reused"] == 0

    fresh = _run(raw, tmp_path / "fresh-work", tmp_path / "fresh")
    assert fresh["extract"].counts["batches_reused"] == 0
    assert _shas(tmp_path / "out2") == _shas(tmp_path / "fresh")
    assert _shas(tmp_path / "out2") != _shas(tmp_path / "out1")
    results = pq.read_table(tmp_path / "out2" / "results.parquet").to_pylist()
    assert any(r["value"] == 1.23 and r["metric"] == "FID" for r in results)


def test_caches_keep_only_what_the_last_run_used(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    work = tmp_path / "work"
    _run(raw, work, tmp_path / "out1")
    (raw / "arxiv.jsonl").unlink()
    _run(raw, work, tmp_path / "out2")
    assert len(list((work / "ingest" / "parts").iterdir())) == 2
    n_batches = _batches(work / "normalise" / "papers.parquet")
    assert len(list((work / "extract" / "cache").iterdir())) <= n_batches
    assert len(list((work / "publish").iterdir())) == 1
