"""Many small files share ingest parts (bundles): the release is the one a part per file
gives, the accounting stays per file, a changed file re-reads its bundle only, and the
leaderboard file in a bundle still gives its curated results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import Config
from pipeline.ingest import InputFile
from pipeline.ingest import stage as ingest_stage
from pipeline.records import StageResult
from pipeline.runner import run_all

ROOT = Path(__file__).resolve().parent.parent


def _file(name: str, size: int, fmt: str | None = "json_records") -> InputFile:
    return InputFile(name, "0" * 64, size, fmt, None, None)


def test_plan_bundles_only_long_runs_of_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_stage, "BUNDLE_MIN", 3)
    monkeypatch.setattr(ingest_stage, "BUNDLE_FILES", 4)
    small = [_file(f"s{i}.json", 100) for i in range(9)]
    big = _file("big.json", ingest_stage.SMALL_FILE_BYTES + 1)
    unknown = _file("x.bin", 10, None)  # unknown format: its problem is its one item
    plan = ingest_stage.plan_parts([small[0], small[1], big, *small[2:], unknown])
    names = [[f.name for f in g] for g in plan]
    assert names == [["s0.json"], ["s1.json"], ["big.json"],  # a run of 2: a part each
                     ["s2.json", "s3.json", "s4.json", "s5.json"],  # at most 4 a bundle
                     ["s6.json", "s7.json", "s8.json", "x.bin"]]
    # every file in exactly one part, in order
    assert [f for g in plan for f in g] == [small[0], small[1], big, *small[2:], unknown]


def _raw(tmp: Path, n: int = 40) -> Path:
    raw = tmp / "raw"
    raw.mkdir()
    for i in range(n):
        doc = {"title": f"Small paper {i}",
               "abstract": f"We reach {70 + i % 20}.5% accuracy on CIFAR-10 with {i} layers."}
        (raw / f"p{i:03d}.json").write_text(json.dumps(doc))
    (raw / "p007.json").write_text("{not json")  # quarantined, inside a bundle
    board = ROOT / "tests/fixtures/formats/pwc/leaderboard_redditsota.json"
    shutil.copy(board, raw / "p020-board.json")  # a leaderboard file among them (28 KB)
    shutil.copy(ROOT / "data/raw/004_2a3305efe35c12b7.txt", raw / "zz-seed.txt")  # 86 KB
    return raw


def _run(raw: Path, work: Path, out: Path) -> dict[str, StageResult]:
    cfg = Config(raw_dir=raw, work_dir=work, out_dir=out, workers=1, batch_size=16)
    return {r.stage: r for r in run_all(cfg)}


def _shas(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {t: v["sha256"] for t, v in manifest["tables"].items()}


@pytest.mark.slow
def test_bundled_release_equals_one_part_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path)
    monkeypatch.setattr(ingest_stage, "BUNDLE_FILES", 16)
    bundled = _run(raw, tmp_path / "w1", tmp_path / "out1")
    parts = json.loads((tmp_path / "w1/ingest/parts.json").read_text())
    # 41 small files in bundles; the seed page (86 KB) alone
    assert [len(p["names"]) for p in parts] == [16, 16, 9, 1]
    monkeypatch.setattr(ingest_stage, "BUNDLE_MIN", 10**9)
    single = _run(raw, tmp_path / "w2", tmp_path / "out2")
    assert len(json.loads((tmp_path / "w2/ingest/parts.json").read_text())) == 42
    assert _shas(tmp_path / "out1") == _shas(tmp_path / "out2")
    assert bundled["ingest"].counts == single["ingest"].counts
    manifest = json.loads((tmp_path / "out1/manifest.json").read_text())
    assert manifest["accounting_holds"] and len(manifest["inputs"]) == 42
    bad = next(i for i in manifest["inputs"] if i["name"] == "p007.json")
    assert bad["records_read"] == 1 and bad["records_quarantined"] == 1
    curated = pq.read_table(tmp_path / "out1/curated_results.parquet").to_pylist()
    assert len(curated) == 40 and {r["source_file"] for r in curated} == {"p020-board.json"}

    # One changed file re-reads its bundle (16 files) and nothing else; the release is a
    # fresh run's.
    (raw / "p030.json").write_text(json.dumps(
        {"title": "Small paper 30", "abstract": "We reach an FID of 2.5 on CIFAR-10."}))
    monkeypatch.setattr(ingest_stage, "BUNDLE_MIN", 16)
    again = _run(raw, tmp_path / "w1", tmp_path / "out3")
    assert again["ingest"].counts["files_read"] == 16
    assert again["ingest"].counts["files_reused"] == 42 - 16
    fresh = _run(raw, tmp_path / "w3", tmp_path / "out4")
    assert _shas(tmp_path / "out3") == _shas(tmp_path / "out4")
    assert fresh["ingest"].counts["files_read"] == 42
