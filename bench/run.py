"""`make bench`: end-to-end throughput, per-stage time, peak RSS, read+parse floor, warm re-run.

    python -m bench.run                   # 100k and 1M abstracts, 2 workers
    python -m bench.run --sizes 20000     # quick look
    python -m bench.run --full            # adds the full-snapshot size, 2.7M

Each size: build the corpus once (bench/corpus/, seeded, no download), time reading and
JSON-parsing it (the floor no pipeline can beat), run `python -m pipeline run` on it cold
(fresh work folder) and warm (same work folder, new output folder), sampling the summed RSS
of the whole process tree (the pipeline and its workers) every 50 ms. The machine's load
average before each run is recorded: other work on the machine slows every figure.
Results go to bench/results.json (one entry per size) and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psutil

from bench.corpus import build, corpus_path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "bench" / "corpus"
RESULTS = ROOT / "bench" / "results.json"


class PeakRss:
    """Samples the summed RSS of a process tree every 50 ms, and the CPU time of its processes.

    CPU seconds (user + system, summed over every process seen in the tree) hardly change
    with other work on the machine, unlike wall time. (The kernel's RUSAGE_CHILDREN would
    miss the engine's workers: the fork server that starts them is never waited for.)
    """

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.stage = STAGES[0]
        """The stage running now (set from the pipeline's summary lines, see `watch_stages`)."""
        self.peaks: dict[str, int] = {}
        """Peak summed RSS while each stage ran."""
        self.cpu: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                        t = p.cpu_times()
                        self.cpu[(p.pid, p.create_time())] = t.user + t.system
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
                self.peaks[self.stage] = max(self.peaks.get(self.stage, 0), total)
            except psutil.Error:
                pass
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._t.join()
        return self.peak

    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


STAGES = ("ingest", "normalise", "extract", "validate", "publish")


def watch_stages(stream: Iterable[str], rss: PeakRss, lines: list[str]) -> None:
    """Each stage prints one summary line (`<stage>: ...`, on stderr) when it ends: the next
    one starts. Every line is kept in `lines` (for an error message)."""
    for line in stream:
        lines.append(line)
        name = line.split(":", 1)[0].strip()
        if name in STAGES and STAGES.index(name) + 1 < len(STAGES):
            rss.stage = STAGES[STAGES.index(name) + 1]


def floor_seconds(corpus: Path) -> float:
    """Reading and JSON-parsing the corpus, nothing else: the cost no pipeline can beat."""
    t0 = time.perf_counter()
    with corpus.open("rb") as fh:
        for line in fh:
            json.loads(line)
    return time.perf_counter() - t0


def run_pipeline(raw: Path, out: Path, work: Path, workers: int, engine: str) -> dict[str, Any]:
    load = os.getloadavg()[0]
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        "--raw-dir",
        str(raw),
        "--out-dir",
        str(out),
        "--work-dir",
        str(work),
        "--workers",
        str(workers),
        "--engine",
        engine,
        "--no-progress",
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},  # each summary line as its stage ends
    )
    rss = PeakRss(proc.pid)
    assert proc.stderr is not None
    lines: list[str] = []
    watcher = threading.Thread(target=watch_stages, args=(proc.stderr, rss, lines), daemon=True)
    watcher.start()
    proc.wait()
    watcher.join()
    err = "".join(lines)
    wall = time.perf_counter() - t0
    peak = rss.stop()
    cpu = rss.cpu_seconds()
    if proc.returncode != 0:
        raise SystemExit(f"pipeline failed ({proc.returncode}): {err[-2000:]}")
    timings = json.loads((work / "timings.json").read_text())
    report = out / "report.html"
    return {
        "wall_s": round(wall, 2),
        "report_mb": round(report.stat().st_size / 2**20, 2) if report.exists() else None,
        "peak_rss_mb": round(peak / 2**20, 1),
        "stage_peak_rss_mb": {k: round(v / 2**20, 1) for k, v in rss.peaks.items()},
        "cpu_s": round(cpu, 1),
        "stages_s": timings,
        "load_before": round(load, 2),
    }


def bench_size(n: int, workers: int, engine: str, corpus_dir: Path = CORPUS_DIR) -> dict[str, Any]:
    corpus = corpus_path(n, corpus_dir)
    if not corpus.exists():
        print(f"building corpus of {n} abstracts ...", file=sys.stderr)
        build(n, corpus)
    floor = floor_seconds(corpus)
    with tempfile.TemporaryDirectory(prefix="paperclaims-bench-") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        os.link(corpus, raw / corpus.name) if _same_fs(corpus, raw) else shutil.copy(corpus, raw)
        cold = run_pipeline(raw, Path(tmp) / "out", Path(tmp) / "work", workers, engine)
        warm = run_pipeline(raw, Path(tmp) / "out2", Path(tmp) / "work", workers, engine)
    total = cold["wall_s"]
    return {
        "abstracts": n,
        "corpus_mb": round(corpus.stat().st_size / 2**20, 1),
        "workers": workers,
        "engine": engine,
        "cold": cold,
        "warm": warm,
        "abstracts_per_s": round(n / total, 1),
        "abstracts_per_cpu_s": round(n / cold["cpu_s"], 1) if cold["cpu_s"] else None,
        "stage_share": {k: round(v / total, 3) for k, v in cold["stages_s"].items()},
        "stage_abstracts_per_s": {
            k: round(n / v, 1) if v > 0 else None
            for k, v in cold["stages_s"].items()
            if "." not in k
        },
        # Significant digits, not decimals: a small corpus's floor (milliseconds) must not
        # round to 0 s.
        "floor_read_parse_s": float(f"{floor:.4g}"),
        "floor_abstracts_per_s": round(n / floor, 1),
        "ratio_to_floor": round(total / floor, 2),
        "warm_speedup": round(cold["wall_s"] / warm["wall_s"], 1),
    }


def bench_small_files(n: int, workers: int, engine: str,
                      corpus_dir: Path = CORPUS_DIR) -> dict[str, Any]:
    """A folder of `n` one-record JSON files (the first `n` bench abstracts, one per file)
    through the whole pipeline: files per second through ingest and end to end."""
    corpus = corpus_path(100_000, corpus_dir)
    if not corpus.exists():
        build(100_000, corpus)
    with tempfile.TemporaryDirectory(prefix="paperclaims-bench-small-") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        with corpus.open(encoding="utf-8") as fh:
            for i, line in zip(range(n), fh, strict=False):
                rec = json.loads(line)
                doc = {"title": rec["title"], "abstract": rec["abstract"], "id": rec["id"]}
                (raw / f"paper-{i:06d}.json").write_text(json.dumps(doc), encoding="utf-8")
        cold = run_pipeline(raw, Path(tmp) / "out", Path(tmp) / "work", workers, engine)
    ingest = cold["stages_s"].get("ingest") or 0.0
    return {
        "files": n,
        "workers": workers,
        "cold": cold,
        "ingest_files_per_s": round(n / ingest, 1) if ingest else None,
        "files_per_s": round(n / cold["wall_s"], 1),
    }


def _same_fs(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def table(results: list[dict[str, Any]]) -> str:
    """The README's two tables: end to end, then seconds (abstracts/s) per stage."""
    rows = [
        "| abstracts | wall (s) | abstracts/s | CPU (s) | peak RSS (MB) | floor read+parse (s) "
        "| × floor | warm re-run (s) | warm speed-up | load before |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r['abstracts']:,} | {r['cold']['wall_s']} | {r['abstracts_per_s']:,} | "
            f"{r['cold'].get('cpu_s')} | {r['cold']['peak_rss_mb']} | "
            f"{r['floor_read_parse_s']} | {r['ratio_to_floor']} | {r['warm']['wall_s']} | "
            f"{r['warm_speedup']}× | {r['cold'].get('load_before')} |"
        )
    stages = ("ingest", "normalise", "extract", "validate", "publish")
    rows += [
        "",
        "| abstracts | " + " | ".join(stages) + " | of which card + plots |",
        "|---|" + "---|" * (len(stages) + 1),
    ]
    for r in results:
        cells = [
            f"{r['cold']['stages_s'][s]} s ({r['stage_abstracts_per_s'][s]:,}/s)" for s in stages
        ]
        card = r["cold"]["stages_s"].get("publish.card")
        rows.append(f"| {r['abstracts']:,} | " + " | ".join(cells) + f" | {card} s |")
    rows += [
        "",
        "| abstracts | peak RSS (MB) while: " + " | ".join(stages) + " |",
        "|---|" + "---|" * len(stages),
    ]
    for r in results:
        peaks = r["cold"].get("stage_peak_rss_mb", {})
        rows.append(
            f"| {r['abstracts']:,} | " + " | ".join(str(peaks.get(s, "")) for s in stages) + " |"
        )
    return "\n".join(rows)


def main() -> None:
    from pipeline import native

    if native.enabled() and native.missing():
        print(f"warning: no compiled build of {', '.join(native.missing())}: they run as "
              "Python (`make native` builds them)", file=sys.stderr)

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--full", action="store_true", help="also the full snapshot size, 2.7M")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--engine", choices=("local", "dask"), default="local")
    ap.add_argument("--corpus-dir", type=Path, default=CORPUS_DIR, help="where corpora are built")
    ap.add_argument("--small-files", type=int, default=20_000,
                    help="also a folder of this many one-record JSON files (0: skip)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results file (JSON)")
    a = ap.parse_args()
    sizes = a.sizes + ([2_700_000] if a.full else [])
    results = []
    for n in sizes:
        results.append(bench_size(n, a.workers, a.engine, a.corpus_dir))
        print(table(results[-1:]), file=sys.stderr)
    small = bench_small_files(a.small_files, a.workers, a.engine, a.corpus_dir) \
        if a.small_files else None
    if small:
        print(f"{small['files']:,} one-record files: ingest {small['ingest_files_per_s']:,} "
              f"files/s, end to end {small['files_per_s']:,} files/s", file=sys.stderr)
    doc = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        # Which of extract's modules ran compiled (`make native`; pipeline/native.py).
        "native": {"enabled": native.enabled(), "missing_builds": native.missing()},
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "results": results,
        "small_files": small,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    for r in results:
        print(f"{r['abstracts']:,}: stage share {r['stage_share']}")


if __name__ == "__main__":
    main()
