"""Publish: a failed or killed run never leaves a half release and never touches the last one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.errors import AccountingError
from pipeline.publish.release import account_inputs
from pipeline.schemas import to_table

ROOT = Path(__file__).resolve().parent.parent


def _papers(files: list[str]) -> pa.Table:
    return pa.table({"source_file": files})


def test_accounting_adds_up_per_file() -> None:
    inputs = [{"name": "a", "records_read": 3}, {"name": "b", "records_read": 1}]
    q = to_table(
        "quarantine",
        [
            {
                "stage": "ingest",
                "source_file": "a",
                "line": 3,
                "reason": "r",
                "detail": "",
                "record": "{}",
            },
            {
                "stage": "validate",
                "source_file": "a",
                "line": 9,
                "reason": "r",
                "detail": "",
                "record": "{}",
            },
        ],
    )
    rows = account_inputs(inputs, _papers(["a", "a", "b"]), _papers(["a", "b"]), {"a": 0}, q)
    assert rows[0]["papers_published"] == 1 and rows[0]["records_quarantined"] == 2
    assert rows[0]["accounted"] and rows[1]["accounted"]
    # The validate-stage claim row is not a record: the lost paper row is counted instead.
    with pytest.raises(AccountingError, match="a: records read 5"):
        account_inputs([{"name": "a", "records_read": 5}], _papers(["a"]), _papers(["a"]), {}, q)


def _run(processed: Path, work: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--raw-dir",
            str(ROOT / "data/raw"),
            "--processed-dir",
            str(processed),
            "--work-dir",
            str(work),
            "--workers",
            "1",
            "--no-progress",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def _releases(processed: Path) -> list[str]:
    return sorted(p.name for p in processed.iterdir() if not p.name.startswith("."))


@pytest.mark.slow
def test_injected_fault_and_sigkill_leave_previous_release(tmp_path: Path) -> None:
    processed, work = tmp_path / "processed", tmp_path / "work"
    first = _run(processed, work)
    rc, err = _finish(first)
    assert rc == 0, err
    before = _releases(processed)
    target = os.readlink(processed / "latest")
    manifest = (processed / target / "manifest.json").read_bytes()

    # 1. An exception inside publish: exit 1, nothing changed, no temporary folder left.
    failed = _run(processed, work, {"PAPERCLAIMS_FAULT": "publish-tables-written:raise"})
    rc, err = _finish(failed)
    assert rc == 1 and "injected fault" in err, err
    assert _releases(processed) == before
    assert not [p for p in processed.iterdir() if p.name.startswith(".paperclaims-tmp-")]

    # 2. SIGKILL while the release is half written: previous release and latest untouched.
    killed = _run(processed, work, {"PAPERCLAIMS_FAULT": "publish-tables-written:sleep"})
    deadline = time.time() + 120
    half = ".paperclaims-tmp-*/release/results.parquet"
    while time.time() < deadline and not list(processed.glob(half)):
        time.sleep(0.05)
    assert list(processed.glob(".paperclaims-tmp-*")), "the run never reached publish"
    killed.send_signal(signal.SIGKILL)
    _finish(killed, 30)
    assert _releases(processed) == before
    assert os.readlink(processed / "latest") == target
    assert (processed / target / "manifest.json").read_bytes() == manifest

    # 3. A re-run after the crash succeeds and cleans the debris.
    again = _run(processed, work)
    rc, err = _finish(again)
    assert rc == 0, err
    assert not list(processed.glob(".paperclaims-tmp-*"))
    assert json.loads((processed / "latest" / "manifest.json").read_text())["accounting_holds"]
