"""Bad inputs never crash a run and nothing is lost: each case ends where the README says.

One folder mixes every bad input users have with the seed pages; the run exits 0, every good
paper is published, every bad record is quarantined with its reason code, and the manifest's
accounting holds per file. Each README row "Bad inputs" is one parametrised case here.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARXIV = ROOT / "tests/fixtures/formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl"

pytestmark = pytest.mark.slow


def _arxiv_line(i: int, title: str, abstract: str = "We report an FID of 2.1 on CIFAR-10.") -> str:
    return json.dumps(
        {"id": f"2501.{i:05d}", "title": title, "abstract": abstract, "authors": "A. B, C. D"}
    )


def build_bad_folder(raw: Path) -> dict[str, str]:
    """Write every bad input; return file name -> what the README says happens."""
    raw.mkdir(parents=True)
    for seed in (ROOT / "data/raw").glob("*.txt"):
        shutil.copy(seed, raw / seed.name)
    lines = ARXIV.read_text(encoding="utf-8").splitlines()
    (raw / "truncated.jsonl").write_text(
        "\n".join([lines[0], lines[1][: len(lines[1]) // 2], lines[2]]) + "\n", encoding="utf-8"
    )
    (raw / "bad_utf8.jsonl").write_bytes(
        _arxiv_line(1, "Caf\udcff Models").encode("utf-8", "surrogateescape")
        + b"\n"
        + _arxiv_line(2, "Fine Title").encode()
        + b"\n"
    )
    (raw / "mojibake.jsonl").write_text(
        _arxiv_line(3, "CafÃ© Diffusion Models for Ã‰tudes") + "\n", encoding="utf-8"
    )
    (raw / "bom.jsonl").write_bytes(
        b"\xef\xbb\xbf" + _arxiv_line(4, "A BOM Paper").encode() + b"\n"
    )
    (raw / "crlf.jsonl").write_bytes(
        (_arxiv_line(5, "CRLF One") + "\r\n" + _arxiv_line(6, "CRLF Two") + "\r\n").encode()
    )
    (raw / "empty.jsonl").write_bytes(b"")
    (raw / "blob.bin").write_bytes(bytes(range(256)) * 64)
    (raw / "no_title.jsonl").write_text(
        json.dumps({"id": "2501.00007", "abstract": "An abstract without a title."})
        + "\n"
        + _arxiv_line(8, "Has A Title")
        + "\n",
        encoding="utf-8",
    )
    (raw / "title_only.jsonl").write_text(
        json.dumps({"id": "2501.00009", "title": "Only A Title Here"}) + "\n", encoding="utf-8"
    )
    (raw / "dupes.jsonl").write_text(
        _arxiv_line(10, "Twice In One File")
        + "\n"
        + _arxiv_line(10, "Twice In One File")
        + "\n"
        + _arxiv_line(11, "A BOM Paper")
        + "\n",
        encoding="utf-8",
    )
    with gzip.open(raw / "snapshot.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines[:5]) + "\n")
    huge = "We study scaling. " * 300_000  # one ~5 MB line
    (raw / "huge.jsonl").write_text(_arxiv_line(12, "A Very Long Abstract", huge) + "\n")
    (raw / "extra_cols.csv").write_text(
        "Title,Abstract,Authors,Venue,Stars\n"
        '"Tables Are Fine","We reach 91.2% accuracy on MNIST.","Ann Lee and Bo Chan",ICML,5\n',
        encoding="utf-8",
    )
    return {}


@pytest.fixture(scope="module")
def bad_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    base = tmp_path_factory.mktemp("bad")
    build_bad_folder(base / "raw")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--raw-dir",
            str(base / "raw"),
            "--out-dir",
            str(base / "rel"),
            "--work-dir",
            str(base / "work"),
            "--no-progress",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return base / "rel", proc.stderr


def _inputs(rel: Path) -> dict[str, dict[str, object]]:
    m = json.loads((rel / "manifest.json").read_text())
    assert m["accounting_holds"]
    return {i["name"]: i for i in m["inputs"]}


def _quarantine(rel: Path, name: str) -> list[dict[str, object]]:
    return [
        r for r in pq.read_table(rel / "quarantine.parquet").to_pylist() if r["source_file"] == name
    ]


def _titles(rel: Path) -> set[str]:
    return set(pq.read_table(rel / "papers.parquet").column("title").to_pylist())


def test_accounting_holds_for_every_file(bad_release: tuple[Path, str]) -> None:
    rel, _ = bad_release
    for name, f in _inputs(rel).items():
        total = f["papers_published"] + f["duplicates_merged"] + f["records_quarantined"]
        assert f["records_read"] == total, name


def test_seeds_survive_among_bad_files(bad_release: tuple[Path, str]) -> None:
    rel, _ = bad_release
    inputs = _inputs(rel)
    seeds = [n for n in inputs if n.endswith(".txt")]
    assert sum(inputs[n]["papers_published"] for n in seeds) == 63


def test_truncated_json_line(bad_release: tuple[Path, str]) -> None:
    rel, err = bad_release
    rows = _quarantine(rel, "truncated.jsonl")
    assert [(r["reason"], r["line"]) for r in rows] == [("PC101-invalid-json", 2)]
    assert "truncated.jsonl:2" in err
    f = _inputs(rel)["truncated.jsonl"]
    # Its two good lines are also in snapshot.jsonl.gz (read first): merged, not lost.
    assert f["papers_published"] + f["duplicates_merged"] == 2


def test_invalid_utf8_is_replaced_and_said(bad_release: tuple[Path, str]) -> None:
    rel, err = bad_release
    assert "Caf\ufffd Models" in _titles(rel)
    assert "bad_utf8.jsonl:1: invalid UTF-8" in err
    assert _inputs(rel)["bad_utf8.jsonl"]["records_with_replaced_bytes"] == 1


def test_mojibake_is_repaired_not_rejected(bad_release: tuple[Path, str]) -> None:
    rel, _ = bad_release
    assert "Café Diffusion Models for Études" in _titles(rel)


def test_bom_and_crlf(bad_release: tuple[Path, str]) -> None:
    rel, _ = bad_release
    assert {"A BOM Paper", "CRLF One", "CRLF Two"} <= _titles(rel)


def test_empty_and_binary_files_are_skipped_with_reason(bad_release: tuple[Path, str]) -> None:
    rel, err = bad_release
    inputs = _inputs(rel)
    assert inputs["empty.jsonl"]["status"] == "skipped"
    assert [r["reason"] for r in _quarantine(rel, "empty.jsonl")] == ["PC104-empty-file"]
    assert inputs["blob.bin"]["status"] == "skipped"
    assert [r["reason"] for r in _quarantine(rel, "blob.bin")] == ["PC103-unknown-format"]
    assert "blob.bin: unknown format; known formats: listing_text" in err


def test_record_without_title_and_title_only(bad_release: tuple[Path, str]) -> None:
    rel, _ = bad_release
    assert [(r["reason"], r["line"]) for r in _quarantine(rel, "no_title.jsonl")] == [
        ("PC105-no-title", 1)
    ]
    papers = {p["title"]: p for p in pq.read_table(rel / "papers.parquet").to_pylist()}
    assert "Has A Title" in papers
    assert papers["Only A Title Here"]["abstract"] is None


def test_duplicates_within_and_across_files_are_merged(bad_release: tuple[Path, str]) -> None:
    rel, _ = bad_release
    dupes = _inputs(rel)["dupes.jsonl"]
    assert dupes["duplicates_merged"] == 2 and dupes["papers_published"] == 1
    papers = {p["title"]: p for p in pq.read_table(rel / "papers.parquet").to_pylist()}
    assert papers["A BOM Paper"]["sources"] == ["bom.jsonl:1", "dupes.jsonl:3"]


def test_gzip_huge_line_and_csv_with_extra_columns(bad_release: tuple[Path, str]) -> None:
    rel, _ = bad_release
    inputs = _inputs(rel)
    assert inputs["snapshot.jsonl.gz"]["compression"] == "gzip"
    assert inputs["snapshot.jsonl.gz"]["papers_published"] == 5
    assert "A Very Long Abstract" in _titles(rel)
    assert inputs["extra_cols.csv"]["format"] == "table"
    papers = {p["title"]: p for p in pq.read_table(rel / "papers.parquet").to_pylist()}
    assert papers["Tables Are Fine"]["authors"] == ["Ann Lee", "Bo Chan"]


def _run_policy(raw: Path, out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--raw-dir",
            str(raw),
            "--out-dir",
            str(out),
            "--work-dir",
            str(out.parent / "work-policy"),
            "--no-progress",
            "-q",
            *flags,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_policy_flags_and_nothing_to_publish(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(ROOT / "data/raw" / sorted(p.name for p in (ROOT / "data/raw").iterdir())[0], raw)
    (raw / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    strict = _run_policy(raw, tmp_path / "strict", "--strict")
    assert strict.returncode == 1 and "--strict" in strict.stderr
    assert not (tmp_path / "strict").exists()
    rate = _run_policy(raw, tmp_path / "rate", "--max-quarantine-rate", "0.01")
    assert rate.returncode == 1 and "quarantine rate" in rate.stderr
    ok = _run_policy(raw, tmp_path / "ok", "--max-quarantine-rate", "0.5")
    assert ok.returncode == 0, ok.stderr
    only_bad = tmp_path / "only_bad"
    only_bad.mkdir()
    (only_bad / "blob.bin").write_bytes(b"\x00" * 10)
    nothing = _run_policy(only_bad, tmp_path / "none")
    assert nothing.returncode == 1
    # Warnings name each bad file; the reason the run failed is one final line.
    assert nothing.stderr.strip().splitlines()[-1].startswith("error: nothing to publish")
