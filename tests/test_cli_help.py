"""Every `--help` shows an example, every example parses with `build_parser()`, and the
cheap ones (explain, diff) run as written against small releases at the paths they name."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from test_load import ROOT, write_sample_release

from pipeline.cli import EXAMPLES, build_parser, main

PREFIX = ["python", "-m", "pipeline"]
RUNNABLE = ("explain", "diff")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def _argv(example: str) -> list[str]:
    argv = shlex.split(example)
    assert argv[:3] == PREFIX, example
    return argv[3:]


def test_every_subcommand_has_an_example_and_vice_versa() -> None:
    names = set(subcommands())
    assert names == set(EXAMPLES)
    assert {"run", "ingest", "normalise", "extract", "validate", "publish", "eval"} <= names
    assert set(RUNNABLE) <= names


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_help_shows_the_example(name: str) -> None:
    text = subcommands()[name].format_help()
    assert "example:" in text
    assert EXAMPLES[name] in text


def test_top_level_help_shows_an_example() -> None:
    text = build_parser().format_help()
    assert "example:" in text and EXAMPLES["run"] in text


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_parses(name: str) -> None:
    args = build_parser().parse_args(_argv(EXAMPLES[name]))
    assert args.command == name


def test_help_from_the_command_line_exits_0() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "explain", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and EXAMPLES["explain"] in proc.stdout


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["explain"], ["diff", "only-one"], ["nope"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    capsys.readouterr()


@pytest.fixture(scope="module")
def example_cwd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the releases the explain and diff examples name."""
    cwd = tmp_path_factory.mktemp("examples")
    paths = {Path(a) for name in RUNNABLE for a in _argv(EXAMPLES[name]) if a.startswith("data/")}
    latest = cwd / "data/processed/latest"
    assert Path("data/processed/latest") in paths
    for rel in sorted(paths - {Path("data/processed/latest")}):
        write_sample_release(cwd / rel)
    write_sample_release(latest, "v2")
    return cwd


@pytest.mark.parametrize("name", RUNNABLE)
def test_cheap_examples_run_as_written(
    name: str,
    example_cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(example_cwd)
    assert main(_argv(EXAMPLES[name])) == 0
    out = capsys.readouterr().out
    if name == "explain":
        assert "Improved Techniques for Training Consistency Models" in out
        assert "[[2.51]]" in out
    else:
        assert out.startswith("# Changes from ")
        assert "## Claims added (2)" in out
