"""End to end: `make run` publishes the seed release the contract promises, deterministically."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import regex
from helpers import pipeline_run

from pipeline.schemas import RELEASE_TABLES

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = json.loads((Path(__file__).parent / "contract_columns.json").read_text())
GOLD = [json.loads(x) for x in (ROOT / "tests/fixtures/gold/seeds.jsonl").read_text().splitlines()]

pytestmark = pytest.mark.slow


def make_run(
    processed: Path, work: Path, raw: Path = ROOT / "data/raw"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "run",
            f"RAW={raw}",
            f"PROCESSED={processed}",
            f"WORK={work}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`make run` on data/raw, once per module: the release it published and its stderr."""
    base = tmp_path_factory.mktemp("e2e")
    proc = make_run(base / "processed", base / "work")
    assert proc.returncode == 0, proc.stderr
    latest = base / "processed" / "latest"
    assert latest.is_symlink()
    return latest.resolve(), proc.stderr


@pytest.fixture(scope="module")
def seed_release(seed_run: tuple[Path, str]) -> Path:
    return seed_run[0]


def test_release_has_contract_tables_columns_and_types(seed_release: Path) -> None:
    for table in RELEASE_TABLES:
        schema = pq.read_schema(seed_release / f"{table}.parquet")
        for col, typ in CONTRACT[table].items():
            assert col in schema.names, f"{table}.{col}"
            # Parquet names a list's item field "element"; the type is the same.
            got = str(schema.field(col).type).replace("<element:", "<item:")
            assert got == typ, f"{table}.{col}"
    assert (seed_release / "manifest.json").exists()
    assert (seed_release / "README.md").exists()


def test_all_63_seed_papers_titles_and_authors_exact(seed_release: Path) -> None:
    papers = pq.read_table(seed_release / "papers.parquet").to_pylist()
    assert len(papers) == 63
    got = {(p["source_file"], p["title"]): p for p in papers}
    for g in GOLD:
        p = got[(g["source_file"], g["title"])]
        assert p["authors"] == g["authors"], g["title"]
        assert (p["abstract"] is not None) == g["has_abstract"], g["title"]
        if p["abstract"]:
            assert "(voir plus)" not in p["abstract"]
            assert "  " not in p["abstract"]
    assert len({p["paper_id"] for p in papers}) == 63


def test_manifest_accounting_and_hashes(seed_release: Path) -> None:
    import hashlib

    m = json.loads((seed_release / "manifest.json").read_text())
    assert m["accounting_holds"]
    for f in m["inputs"]:
        assert f["records_read"] == (
            f["papers_published"] + f["duplicates_merged"] + f["records_quarantined"]
        )
    for t in m["tables"].values():
        data = (seed_release / t["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == t["sha256"]
        assert pq.read_metadata(seed_release / t["file"]).num_rows == t["rows"]
    assert seed_release.name == m["version"]


def test_evidence_is_verbatim(seed_release: Path) -> None:
    papers = {p["paper_id"]: p for p in pq.read_table(seed_release / "papers.parquet").to_pylist()}
    for row in pq.read_table(seed_release / "results.parquet").to_pylist():
        assert papers[row["paper_id"]]["abstract"][row["start"] : row["end"]] == row["evidence"]


def test_two_runs_give_identical_tables(seed_release: Path, tmp_path: Path) -> None:
    proc = pipeline_run(
        "--raw-dir",
        str(ROOT / "data/raw"),
        "--out-dir",
        str(tmp_path / "again"),
        "--work-dir",
        str(tmp_path / "w"),
        "--workers",
        "1",
    )
    assert proc.returncode == 0, proc.stderr
    a = json.loads((seed_release / "manifest.json").read_text())
    b = json.loads((tmp_path / "again" / "manifest.json").read_text())
    assert {k: v["sha256"] for k, v in a["tables"].items()} == {
        k: v["sha256"] for k, v in b["tables"].items()
    }
    assert a["version"] == b["version"]


def test_rerun_keeps_release_and_moves_latest(tmp_path: Path) -> None:
    for _ in range(2):
        proc = make_run(tmp_path / "processed", tmp_path / "work")
        assert proc.returncode == 0, proc.stderr
    entries = sorted(p.name for p in (tmp_path / "processed").iterdir())
    # one version folder + latest, and the run lock (kept: removing it would race a waiter)
    assert len(entries) == 3 and "latest" in entries and ".paperclaims.lock" in entries


def test_formats_folder_publishes_and_reports_invalid_file(tmp_path: Path) -> None:
    out = tmp_path / "rel"
    proc = pipeline_run(
        "--raw-dir",
        str(ROOT / "tests/fixtures/formats"),
        "--out-dir",
        str(out),
        "--work-dir",
        str(tmp_path / "w"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "leaderboard_example_invalid.json" in proc.stderr
    m = json.loads((out / "manifest.json").read_text())
    assert m["accounting_holds"]
    by_name = {f["name"]: f for f in m["inputs"]}
    bad = by_name["pwc/leaderboard_example_invalid.json"]
    assert bad["records_quarantined"] >= 1
    q = pq.read_table(out / "quarantine.parquet").to_pylist()
    bad_rows = [r for r in q if r["source_file"] == "pwc/leaderboard_example_invalid.json"]
    assert bad_rows and bad_rows[0]["reason"] == "PC101-invalid-json"
    assert bad_rows[0]["line"] is not None
    papers = pq.read_table(out / "papers.parquet")
    formats = set(papers.column("source_format").to_pylist())
    assert len(formats) >= 4
    assert m["totals"]["papers_published"] >= 200 + 50 + 29 + 50 - 5  # minus merged duplicates


def test_cli_without_destination_is_a_usage_error(tmp_path: Path) -> None:
    proc = pipeline_run("--raw-dir", str(ROOT / "data/raw"), "--work-dir", str(tmp_path))
    assert proc.returncode == 2


def test_missing_raw_dir_exits_1_with_one_line(tmp_path: Path) -> None:
    proc = pipeline_run("--raw-dir", str(tmp_path / "nope"), "--out-dir", str(tmp_path / "o"))
    assert proc.returncode == 1
    assert "nope" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_a_run_ends_with_its_time_totals_and_the_report_path(seed_run: tuple[Path, str]) -> None:
    release, stderr = seed_run  # seed_run asserts the run's exit code 0
    last = stderr.strip().splitlines()[-1]
    assert regex.fullmatch(
        rf"done in \d+\.\d s: 63 papers, \d+ results, 0 quarantined -> {regex.escape(str(release))}"
        rf" \(open {regex.escape(str(release / 'report.html'))}\)", last), last
    assert (release / "report.html").is_file()


def test_rerunning_identical_inputs_keeps_the_cards_history(tmp_path: Path) -> None:
    raw, out, work = tmp_path / "raw", tmp_path / "rel", tmp_path / "w"
    raw.mkdir()
    seeds = sorted((ROOT / "data/raw").iterdir())
    (raw / seeds[0].name).write_bytes(seeds[0].read_bytes())
    args = ("--raw-dir", str(raw), "--out-dir", str(out), "--work-dir", str(work))
    assert pipeline_run(*args).returncode == 0
    first = json.loads((out / "manifest.json").read_text())["version"]
    (raw / seeds[1].name).write_bytes(seeds[1].read_bytes())
    assert pipeline_run(*args).returncode == 0
    card = (out / "README.md").read_text()
    assert f"Compared with {first}:" in card
    again = pipeline_run(*args)
    assert again.returncode == 0, again.stderr
    assert (out / "README.md").read_text() == card  # not "compared with itself"
