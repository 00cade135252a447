"""What the tools that build a model or table from data share to measure it by k-fold
cross-validation instead: the fold of a paper, and the command line `--cv K` (measure, write
nothing) and `--write FILE` (save the figures as JSON, with the command that made them)."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any


def fold_of(key: str, k: int) -> int:
    """The fold (0 .. k-1) of the paper with this key (an arXiv id, a gold title): fixed by
    its sha256, so every tool and every run splits the same way."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % k


def parser(module: str, doc: str) -> argparse.ArgumentParser:
    """`python -m module` with `--cv K` and `--write FILE`; its description is the first
    paragraph of `doc`."""
    ap = argparse.ArgumentParser(prog=f"python -m {module}", description=doc.split("\n\n")[0])
    ap.add_argument("--cv", type=int, metavar="K", help="measure by K-fold CV; write nothing")
    ap.add_argument("--write", type=Path, help="with --cv: save the figures as JSON")
    return ap


def save(report: dict[str, Any], module: str, args: argparse.Namespace) -> None:
    """Record in `report` the command that measured it, and write it to `args.write`."""
    report["command"] = (f"python -m {module} --cv {args.cv}"
                         + (f" --write {args.write}" if args.write else ""))
    if args.write:
        args.write.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
