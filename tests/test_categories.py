"""`--categories` keeps the records of the arXiv categories asked for (prefixes allowed),
keeps records whose source gives no categories, and counts what it leaves out per file as
`records_filtered`, so the manifest's accounting still holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import pipeline_run

from pipeline.normalise.filters import category_matches, parse_categories

ROOT = Path(__file__).resolve().parent.parent
ARXIV = ROOT / "tests/fixtures/formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl"


def test_parse_and_match() -> None:
    assert parse_categories(" cs.LG, cs.* ,stat., cs.LG") == ("cs.LG", "cs", "stat")
    assert category_matches("cs.LG", ["cs"]) and category_matches("cs.LG", ["cs.LG"])
    assert not category_matches("cs.LGX", ["cs.LG"]) and not category_matches("csx.A", ["cs"])
    assert not category_matches("math.CO", ["cs", "stat"])


@pytest.mark.slow
def test_arxiv_sample_filtered_and_accounted(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "arxiv.jsonl").write_bytes(ARXIV.read_bytes())
    (raw / "seed.txt").write_bytes((ROOT / "data/raw/000_2a00aa8dfd2c52e5.txt").read_bytes())
    lines = [json.loads(x) for x in ARXIV.read_text().splitlines() if x.strip()]
    wanted = sum(1 for x in lines if any(c.startswith("cs.") for c in x["categories"].split()))
    out = tmp_path / "rel"
    proc = pipeline_run("--raw-dir", str(raw), "--out-dir", str(out),
                        "--work-dir", str(tmp_path / "w"), "--workers", "1", "--categories", "cs")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    arxiv = next(i for i in manifest["inputs"] if i["name"] == "arxiv.jsonl")
    seed = next(i for i in manifest["inputs"] if i["name"] == "seed.txt")
    assert arxiv["records_filtered"] == len(lines) - wanted > 100
    assert arxiv["papers_published"] + arxiv["duplicates_merged"] == wanted
    assert seed["records_filtered"] == 0 and seed["papers_published"] > 0  # no categories: kept
    assert manifest["accounting_holds"]
    assert manifest["totals"]["records_filtered"] == len(lines) - wanted
    card = (out / "README.md").read_text()
    assert f"| {len(lines) - wanted} |" in card
