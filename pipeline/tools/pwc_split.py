"""The Papers with Code-style check's split of `data/train/pwc_train` (CC BY-SA 4.0, see its
README): a paper is in the dev split when its arXiv id hashes even (`crossval.fold_of`), and
the check scores the dev papers' rows whose score is printed in the abstract (`dev_rows`).
Every tool that builds something from PwC rows reads this to keep the dev split held out."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.config import ROOT
from pipeline.tools import crossval

DATA = ROOT / "data" / "train" / "pwc_train"


def in_dev(arxiv_id: str) -> bool:
    return crossval.fold_of(arxiv_id, 2) == 0


def dev_rows(labels: Path = DATA / "labels.jsonl.gz",
             split: str = "dev") -> dict[str, list[dict[str, Any]]]:
    """arXiv id -> the paper's PwC rows whose score is printed in the abstract, in `split`
    ("dev": even hash, held out; "train": odd hash)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with gzip.open(labels, "rt", encoding="utf-8") as fh:
        for line in fh:
            paper = json.loads(line)
            rows = [r for r in paper["rows"] if r.get("value_in_abstract")]
            if rows and in_dev(str(paper["arxiv_id"])) == (split == "dev"):
                out[str(paper["arxiv_id"])] = rows
    return out


def abstracts(keep: Callable[[str], bool],
              path: Path = DATA / "abstracts.jsonl.gz") -> list[str]:
    """The non-empty abstracts of the papers whose arXiv id `keep` accepts, in file order."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [str(d["abstract"]) for d in map(json.loads, fh)
                if keep(str(d["id"])) and d.get("abstract")]
