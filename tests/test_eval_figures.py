"""The accuracy figures committed in eval/ (and printed in every dataset card) are current:
re-measuring them with today's code gives the same numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HF = ROOT / "tests/fixtures/formats/hf"
GOLD = ROOT / "tests/fixtures/gold"

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("committed", "raw", "gold"),
    [
        ("seeds.json", ROOT / "data/raw", GOLD / "seeds.jsonl"),
        ("heldout_a.json", HF, GOLD / "heldout_hf.jsonl"),
        ("heldout_b.json", HF, GOLD / "heldout_hf_b.jsonl"),
    ],
)
def test_committed_eval_figures_are_current(
    committed: str, raw: Path, gold: Path, tmp_path: Path
) -> None:
    out = tmp_path / "eval.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "eval",
            "--raw-dir",
            str(raw),
            "--gold",
            str(gold),
            "--work-dir",
            str(tmp_path / "w"),
            "--write",
            str(out),
            "-q",
            "--no-progress",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    now = {k: v["f1"] for k, v in json.loads(out.read_text())["fields"].items()}
    before = {
        k: v["f1"] for k, v in json.loads((ROOT / "eval" / committed).read_text())["fields"].items()
    }
    assert now == before, "extraction changed: run `make eval` and commit eval/"


def test_committed_pwc_check_is_current(tmp_path: Path) -> None:
    out = tmp_path / "pwc.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.tools.pwc_check", "--write", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    keys = ("rows", "papers", "value_recall", "value_metric_recall",
            "value_metric_dataset_recall")
    now, before = (json.loads(p.read_text()) for p in (out, ROOT / "eval/pwc_check.json"))
    assert {k: now[k] for k in keys} == {k: before[k] for k in keys}, (
        "extraction changed: run `make eval` and commit eval/")
