"""A real Dask cluster (a scheduler and two single-threaded workers on loopback) publishes the
release the local engine publishes, byte for byte: every table's sha256 in `manifest.json` is
the same with `--scheduler`, `--workers 1` and `--workers 2`."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).with_name("dask")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_workers(address: str, n: int, timeout: float = 120) -> None:
    from distributed import Client

    deadline = time.time() + timeout
    while True:
        try:
            with Client(address, timeout=10, set_as_default=False) as client:
                client.wait_for_workers(n, timeout=max(1, deadline - time.time()))
                return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def _run(raw: Path, out: Path, work: Path, *flags: str) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--raw-dir", str(raw), "--out-dir", str(out),
         "--work-dir", str(work), "--batch-size", "40", "--no-progress", "-q", *flags],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    return {t: v["sha256"] for t, v in manifest["tables"].items()}


def test_dask_cluster_publishes_the_local_release(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data/raw", raw)
    shutil.copytree(ROOT / "tests/fixtures/formats", raw / "formats")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(
            subprocess.Popen(
                [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                 "--no-dashboard"],
                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )
        for i in range(2):
            procs.append(
                subprocess.Popen(
                    [str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1",
                     "--no-dashboard", "--local-directory", str(tmp_path / f"dask-{i}")],
                    cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            )
        _wait_for_workers(address, 2)
        on_dask = _run(raw, tmp_path / "dask", tmp_path / "w-dask", "--scheduler", address)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    one = _run(raw, tmp_path / "one", tmp_path / "w-one", "--workers", "1")
    two = _run(raw, tmp_path / "two", tmp_path / "w-two", "--workers", "2")
    assert on_dask == one == two
    assert set(on_dask) == {"papers", "code_links", "dataset_mentions", "resolutions", "results",
                            "leaderboards", "curated_results", "quarantine"}
