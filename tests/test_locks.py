"""A run touches only what is its own, and two runs on one folder never break each other.

- clean-up removes only `.paperclaims-tmp/old-*` folders with an owner file no live run
  holds: a user's `.old-photos` or `.tmp-x` beside `--out-dir` survives;
- `--out-dir` never replaces a folder that is not a paperclaims release;
- a second run on the same work or output folder refuses with one line naming the holder's
  pid, or with `--wait-lock` waits for it; a lock left by a killed run is taken over;
- two real runs started together on one work and one output folder both finish, one after
  the other, and the release they leave is whole.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import pipeline_run

from pipeline.config import Config
from pipeline.errors import LockError
from pipeline.locks import (
    LOCK_FILE,
    OWNER_FILE,
    folder_lock,
    output_lock_path,
    owned_dir,
    remove_stale,
)

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return pipeline_run("--raw-dir", str(RAW), "--workers", "1", *args, timeout=timeout)


def _hold(lock: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that holds `lock` for `seconds` (returned once it holds it); it
    prints `released <epoch seconds>` when it lets go."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time\nfrom pathlib import Path\nfrom pipeline.locks import folder_lock\n"
         f"with folder_lock(Path({str(lock)!r}), 'w'):\n"
         f"    print('held', flush=True)\n    time.sleep({seconds})\n"
         "print('released', time.time(), flush=True)\n"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_remove_stale_takes_only_our_dead_folders(tmp_path: Path) -> None:
    user = [tmp_path / ".old-photos", tmp_path / ".tmp-x", tmp_path / ".paperclaims-tmp-mine"]
    for folder in user:  # the last: our prefix, but no owner file: not provably ours
        folder.mkdir()
        (folder / "a.jpg").write_text("x")
    dead = tmp_path / ".paperclaims-tmp-123-dead"
    dead.mkdir()
    (dead / OWNER_FILE).write_text("{}")  # its run is gone: nobody holds the owner file
    with owned_dir(tmp_path) as live:
        (live / "release").mkdir()
        assert remove_stale(tmp_path) == [dead.name]
        assert live.exists(), "a live run's folder was removed"
    assert all((f / "a.jpg").exists() for f in user)
    assert remove_stale(tmp_path) == [live.name]


@pytest.mark.slow
def test_run_leaves_a_users_dot_folders_alone(tmp_path: Path) -> None:
    parent = tmp_path / "cs"
    (parent / ".old-photos").mkdir(parents=True)
    (parent / ".old-photos" / "a.jpg").write_text("x")
    (parent / ".tmp-notes").mkdir()
    proc = _cli("--out-dir", str(parent / "rel"), "--work-dir", str(tmp_path / "w"))
    assert proc.returncode == 0, proc.stderr
    assert (parent / ".old-photos" / "a.jpg").read_text() == "x"
    assert (parent / ".tmp-notes").is_dir()
    # a second run replaces its own release and still leaves them alone
    proc = _cli("--out-dir", str(parent / "rel"), "--work-dir", str(tmp_path / "w"))
    assert proc.returncode == 0, proc.stderr
    leftover = sorted(p.name for p in parent.iterdir())
    assert leftover == [".old-photos", ".paperclaims-rel.lock", ".tmp-notes", "rel"]


@pytest.mark.slow
def test_out_dir_never_replaces_a_folder_that_is_not_a_release(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("precious")
    proc = _cli("--out-dir", str(home), "--work-dir", str(tmp_path / "w"))
    assert proc.returncode == 1
    assert "is not a paperclaims release" in proc.stderr and str(home) in proc.stderr
    assert sorted(p.name for p in home.iterdir()) == ["thesis.tex"]


def test_a_held_lock_refuses_naming_the_pid(tmp_path: Path) -> None:
    processed, work = tmp_path / "processed", tmp_path / "work"
    cfg = Config(raw_dir=RAW, work_dir=work, processed_dir=processed)
    out_lock = output_lock_path(cfg)
    assert out_lock == processed / LOCK_FILE
    with folder_lock(work / LOCK_FILE, "work"):
        proc = _cli("--processed-dir", str(processed), "--work-dir", str(work))
    assert proc.returncode == 1
    line = proc.stderr.strip().splitlines()[-1]
    assert f"work folder {work}" in line and f"pid {os.getpid()}" in line, line
    assert not processed.exists() or not any(p for p in processed.iterdir()
                                             if not p.name.startswith("."))
    with folder_lock(out_lock, "out"), pytest.raises(LockError, match=f"pid {os.getpid()}"):
        with folder_lock(out_lock, "output folder", wait=0.3):
            pass


@pytest.mark.slow
def test_wait_lock_waits_for_the_holder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    holder = _hold(work / LOCK_FILE, seconds=3)
    t0 = time.monotonic()
    proc = _cli("--processed-dir", str(tmp_path / "p"), "--work-dir", str(work),
                "--wait-lock", "120")
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - t0 > 1.0
    holder.wait(30)
    assert holder.stdout is not None
    released = float(holder.stdout.readline().split()[1])
    holder.stdout.close()
    # The run wrote nothing in the work folder before the holder let go of its lock.
    first_output = (work / "ingest" / "inputs.json").stat().st_mtime
    assert first_output >= released - 0.01, (first_output, released)


def test_a_killed_holders_lock_is_taken_over(tmp_path: Path) -> None:
    work = tmp_path / "work"
    holder = _hold(work / LOCK_FILE, seconds=600)
    holder.send_signal(signal.SIGKILL)
    holder.wait(30)
    assert holder.stdout is not None
    holder.stdout.close()
    assert json.loads((work / LOCK_FILE).read_text())["pid"] == holder.pid  # left behind
    with folder_lock(work / LOCK_FILE, "work"):
        assert json.loads((work / LOCK_FILE).read_text())["pid"] == os.getpid()
    fd = os.open(work / LOCK_FILE, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released on exit
    finally:
        os.close(fd)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["--processed-dir", "--out-dir"])
def test_two_concurrent_runs_on_one_folder_both_finish(tmp_path: Path, target: str) -> None:
    out, work = tmp_path / "out", tmp_path / "work"
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw-dir", str(RAW), "--workers", "1",
           "--no-progress", target, str(out), "--work-dir", str(work), "--wait-lock", "600"]
    runs = [subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(2)]
    errs = [p.communicate(timeout=900)[1] for p in runs]
    assert [p.returncode for p in runs] == [0, 0], errs
    release = out / "latest" if target == "--processed-dir" else out
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["accounting_holds"] and manifest["totals"]["papers_published"] == 63
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".paperclaims-tmp-")]
