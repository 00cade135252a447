"""Every entry of the raw folder is accounted for, and nothing outside it is read.

A FIFO, a socket, a dangling symlink, a symlink loop, a symlinked folder and a symlink to a
file outside the raw folder each get a manifest entry (`status: skipped`) and one quarantine
row with its reason code (PC109, PC110); the outside file's bytes appear nowhere in the
release; `--follow-symlinks` reads it, and a link to a file that fails with EIO on read
(`/proc/self/mem`) becomes PC107 for that file while the rest is published.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import pipeline_run

from pipeline.errors import Reason
from pipeline.ingest import list_entries, scan_inputs
from pipeline.runner import inputs_fingerprint

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "raw" / "000_2a00aa8dfd2c52e5.txt"
SECRET = "TOP-SECRET-9f3c2e"


def build(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "seed.txt").write_bytes(SEED.read_bytes())
    outside = tmp_path / "secret.txt"
    outside.write_text(f"{SECRET}\n" * 10)
    (raw / "out.txt").symlink_to(outside)
    (raw / "in.txt").symlink_to("seed.txt")
    (raw / "dangling").symlink_to(tmp_path / "missing")
    (raw / "loop1").symlink_to("loop2")
    (raw / "loop2").symlink_to("loop1")
    (raw / "sub_link").symlink_to(raw / "sub", target_is_directory=True)
    os.mkfifo(raw / "fifo")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(raw / "sock"))
    sock.close()
    return raw


EXPECTED = {
    "dangling": Reason.LINK_SKIPPED,
    "fifo": Reason.NOT_A_FILE,
    "loop1": Reason.LINK_SKIPPED,
    "loop2": Reason.LINK_SKIPPED,
    "out.txt": Reason.LINK_SKIPPED,
    "sock": Reason.NOT_A_FILE,
    "sub_link": Reason.LINK_SKIPPED,
}


def test_each_entry_gets_a_verdict(tmp_path: Path) -> None:
    raw = build(tmp_path)
    entries = {e.name: e for e in list_entries(raw)}
    assert set(entries) == {"seed.txt", "in.txt", *EXPECTED}
    assert entries["seed.txt"].problem is None and entries["in.txt"].problem is None
    for name, reason in EXPECTED.items():
        problem = entries[name].problem
        assert problem is not None and problem.reason == reason.value, name
        assert problem.detail.startswith(f"{name}: ") and "not read" in problem.detail
    followed = {e.name: e.problem for e in list_entries(raw, follow_symlinks=True)}
    assert followed["out.txt"] is None and followed["loop1"] is not None
    scanned = {f.name: f for f in scan_inputs(raw)}  # a FIFO is never opened (no hang)
    assert scanned["fifo"].format is None and scanned["seed.txt"].format == "listing_text"
    assert len(inputs_fingerprint(raw)) == 64


def _run(raw: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return pipeline_run("--raw-dir", str(raw), "--out-dir", str(out),
                        "--work-dir", str(out.parent / f"work-{out.name}"), "--workers", "1",
                        *extra)


@pytest.mark.slow
def test_release_accounts_for_every_entry_and_leaks_nothing(tmp_path: Path) -> None:
    raw = build(tmp_path)
    proc = _run(raw, tmp_path / "rel")
    assert proc.returncode == 0, proc.stderr
    release = tmp_path / "rel"
    manifest = json.loads((release / "manifest.json").read_text())
    inputs = {i["name"]: i for i in manifest["inputs"]}
    assert set(inputs) == {"seed.txt", "in.txt", *EXPECTED}
    assert manifest["accounting_holds"]
    for name in EXPECTED:
        assert inputs[name]["status"] == "skipped" and inputs[name]["skip_reason"]
    quarantine = pq.read_table(release / "quarantine.parquet").to_pylist()
    assert sorted((q["source_file"], q["reason"]) for q in quarantine) == sorted(
        (n, r.value) for n, r in EXPECTED.items()
    )
    for path in release.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    for name in EXPECTED:  # one warning line per entry, naming it
        assert any(line.startswith(f"{name}: ") for line in proc.stderr.splitlines()), name


@pytest.mark.slow
def test_an_unreadable_file_is_quarantined_and_the_rest_published(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "seed.txt").write_bytes(SEED.read_bytes())
    (raw / "mem").symlink_to("/proc/self/mem")  # open() works, read() fails with EIO
    proc = _run(raw, tmp_path / "rel", "--follow-symlinks")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "rel" / "manifest.json").read_text())
    inputs = {i["name"]: i for i in manifest["inputs"]}
    assert inputs["mem"]["status"] == "skipped" and "Input/output error" in str(
        inputs["mem"]["skip_reason"]
    )
    assert inputs["seed.txt"]["papers_published"] > 0 and manifest["accounting_holds"]
    (q,) = pq.read_table(tmp_path / "rel" / "quarantine.parquet").to_pylist()
    assert q["source_file"] == "mem" and q["reason"] == Reason.UNREADABLE.value
