"""Every example of the README's `## Using a release` runs as written against a fresh
release of the bundled inputs, published as `make run` does (`data/processed/latest`): the
Python blocks in a clean interpreter (Hugging Face fully offline), the SQL blocks in DuckDB,
the `explain` command line. Together they walk a new user from the release to the best FID
on CIFAR-10 and back to the sentence that states it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_load import ROOT, seed_release

pytestmark = pytest.mark.slow

SECTION = "## Using a release"


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no {SECTION!r} section"
    body = text.split(f"\n{SECTION}\n", 1)[1]
    return re.split(r"\n## ", body, maxsplit=1)[0]


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", readme_section(), flags=re.S)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose `data/processed/latest` is a fresh release, as after `make run`."""
    release = seed_release(tmp_path_factory)
    cwd = tmp_path_factory.mktemp("reader")
    (cwd / "data").mkdir()
    (cwd / "data" / "processed").symlink_to(release.parent, target_is_directory=True)
    assert (cwd / "data/processed/latest/manifest.json").exists()
    return cwd


def _env(cwd: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(cwd / ".hf"),
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
        "NO_COLOR": "1",
    }


def test_section_has_every_kind_of_example() -> None:
    section = readme_section()
    assert len(blocks("python")) >= 3 and len(blocks("sql")) >= 2
    for needle in (
        "pipeline.load(",
        "pd.read_parquet(",
        "datasets.load_dataset(",
        "report.html",
        "-m pipeline explain",
        "-m pipeline diff",
    ):
        assert needle in section, needle


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_example_runs(workdir: Path, index: int) -> None:
    code = blocks("python")[index]
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=workdir,
        env=_env(workdir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"README python block {index}:\n{code}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip(), "the example prints nothing"
    if "CIFAR-10" in code:
        assert "1.3" in proc.stdout  # DDO's FID on CIFAR-10, the best in the seed pages


@pytest.mark.parametrize("index", range(len(blocks("sql"))))
def test_sql_example_runs(workdir: Path, index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    rows = duckdb.connect().sql(blocks("sql")[index]).fetchall()
    assert rows, f"README sql block {index} returns no rows"


def test_best_fid_per_dataset_query(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    [query] = [b for b in blocks("sql") if "GROUP BY dataset" in b]
    best = {(d, r): v for d, r, v in duckdb.connect().sql(query).fetchall()}
    assert best[("CIFAR-10", None)] == pytest.approx(1.30)
    # ImageNet at 64x64 is its own board, not "the best FID on ImageNet".
    assert best[("ImageNet", 64)] == pytest.approx(0.97) and ("ImageNet", None) not in best


def test_new_user_finds_best_cifar10_fid_and_traces_it(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. One DuckDB query from the README finds the best FID on CIFAR-10 and its paper.
    monkeypatch.chdir(workdir)
    [query] = [b for b in blocks("sql") if "'CIFAR-10'" in b]
    [(value, paper_id, title, evidence)] = duckdb.connect().sql(query).fetchall()
    assert value == pytest.approx(1.30)
    assert title.startswith("Direct Discriminative Optimization")

    # 2. The report the README points at is in the release and shows that row.
    report = (workdir / "data/processed/latest/report.html").read_text(encoding="utf-8")
    assert f'data-paper-id="{paper_id}"' in report and "<mark>1.30</mark>" in report

    # 3. `explain`, run exactly as the README writes it, marks the sentence in the
    #    abstract and the number inside it.
    [line] = [ln for ln in readme_section().splitlines() if "-m pipeline explain" in ln]
    argv = shlex.split(line)
    assert argv[:3] == [".venv/bin/python", "-m", "pipeline"]
    for args in (argv[3:], ["explain", paper_id, "--release", "data/processed/latest"]):
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", *args],
            cwd=workdir,
            env=_env(workdir),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        flat = " ".join(proc.stdout.split())
        assert f"[[{' '.join(evidence.split())}]]" in flat
        assert "[[1.30]]" in flat
        assert paper_id in flat


def test_diff_example_names_real_commands(workdir: Path) -> None:
    [line] = [ln for ln in readme_section().splitlines() if "-m pipeline diff" in ln]
    argv = shlex.split(line)
    from pipeline.cli import build_parser

    args = build_parser().parse_args(argv[3:])
    assert args.command == "diff" and str(args.new) == "data/processed/latest"


def test_diff_example_runs_on_the_release_folders_there_are(workdir: Path) -> None:
    [line] = [ln for ln in readme_section().splitlines() if "-m pipeline diff" in ln]
    command = line.replace(".venv/bin/python", shlex.quote(sys.executable), 1)
    proc = subprocess.run(["sh", "-c", command], cwd=workdir, env=_env(workdir),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()
