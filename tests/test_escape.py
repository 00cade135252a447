"""Input-controlled text is escaped for where it goes: a file name with a newline, a `|`, a
backtick or an ANSI escape leaves the card's Markdown tables whole, the changelog's lists
whole, and the terminal obeying nothing.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import regex
from helpers import arxiv_line, pipeline_run
from hypothesis import given
from hypothesis import strategies as st

from pipeline.escape import md_code, md_text, visible_controls

HOSTILE = ["pipe|name.jsonl", "new\nline.jsonl", "tick`s.jsonl", "\x1b[31mred\x1b[0m.jsonl",
           "star*_[x](y)<b>.jsonl"]


def _cells(row: str) -> list[str]:
    """GFM table cells: split on pipes that are not escaped."""
    return [c.strip() for c in regex.split(r"(?<!\\)\|", row.strip())[1:-1]]


@given(st.text())
def test_escaped_text_is_one_line_and_keeps_the_table_whole(s: str) -> None:
    for out in (md_text(s), md_code(s)):
        assert "\n" not in out and "\r" not in out and "\x1b" not in out
        assert len(_cells(f"| {out} | x |")) == 2
    assert not any(unicodedata.category(c) == "Cc" for c in visible_controls(s))


def test_plain_names_stay_code_spans() -> None:
    assert md_code("seeds/000.txt") == "`seeds/000.txt`"
    assert md_code("a|b") == "a\\|b" and md_code("t`x") == "t\\`x"
    assert visible_controls("a\x1b[31mb\n") == "a\\x1b[31mb\\x0a"


@pytest.mark.slow
def test_hostile_file_names_in_card_changelog_and_terminal(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i, name in enumerate(HOSTILE):
        (raw / name).write_bytes(arxiv_line(i))
    (raw / "bad|\x1b[2J.jsonl").write_text("{not json\n")
    out = tmp_path / "rel"
    args = ["--raw-dir", str(raw), "--out-dir", str(out), "--work-dir", str(tmp_path / "w"),
            "--workers", "1"]
    proc = pipeline_run(*args)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr and "\\x1b[2J" in proc.stderr
    card = (out / "README.md").read_text()
    assert "\x1b" not in card
    lines = card.splitlines()
    start = lines.index(next(x for x in lines if x.startswith("| input file |")))
    rows = []
    for row in lines[start:]:
        if not row.startswith("|"):
            break
        rows.append(row)
    assert len(rows) == 2 + len(HOSTILE) + 1 + 1  # header, rule, files, bad file, total
    assert {len(_cells(r)) for r in rows} == {7}
    # a second run over changed inputs: the changelog lists stay one item per line
    (raw / "extra.jsonl").write_text(json.dumps(
        {"id": "2502.00001", "title": "Title with | pipe\tand `tick`", "authors": "C. D",
         "abstract": "We reach 80.5% accuracy on MNIST.", "submitter": None, "versions": []}
    ) + "\n")
    proc = pipeline_run(*args)
    assert proc.returncode == 0, proc.stderr
    changelog = (out / "CHANGELOG.md").read_text()
    added = [x for x in changelog.splitlines() if "2502.00001" in x]
    assert added and all(x.startswith("- ") for x in added)
    assert "with \\| pipe" in changelog
