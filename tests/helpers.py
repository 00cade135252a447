"""Helpers shared by several test modules (imported as `from helpers import ...`, like `budget`).

`pipeline_run` runs the pipeline CLI in a subprocess the way the end-to-end tests do;
`arxiv_line` is one line of a small arXiv snapshot; `results_of` is what extract makes of
one abstract.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.extract import extract_paper
from pipeline.records import Paper, Result

ROOT = Path(__file__).resolve().parent.parent


def results_of(text: str) -> list[Result]:
    """The result claims extract makes of an abstract `text` (title "t")."""
    return list(extract_paper(Paper("p", "t", (), text, "f.txt", "test", 1)).results)


def pipeline_run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`python -m pipeline run --no-progress *args` from the repository root, output captured.

    `--no-progress` is a no-op when output is captured (bars are drawn only on a terminal,
    `pipeline/progress.py`), so a call that did not pass it runs the same.
    """
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--no-progress", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def arxiv_line(
    i: int, title: str | None = None, abstract: str = "We reach 91.2% accuracy on CIFAR-10."
) -> bytes:
    """One arXiv snapshot line (id `2501.<i, 5 digits>`, title `Paper <i>` unless given)."""
    line: dict[str, object] = {
        "id": f"2501.{i:05d}", "title": f"Paper {i}" if title is None else title,
        "authors": "A. B", "abstract": abstract, "submitter": None, "versions": [],
    }
    return json.dumps(line).encode() + b"\n"
