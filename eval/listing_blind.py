"""Blind figures of the listing-page reader: pages it never trained on, read by the shipped
models.

- `python eval/listing_blind.py --folder tests/fixtures/pages_blind --write FILE`: the
  standing blind pages, which no model trains on (`make eval` writes
  `eval/listing_blind.json`).
- `python eval/listing_blind.py PREFIX... --write FILE`: a batch of `tests/fixtures/pages/`
  run once, when it is committed and before the models are retrained on it; those figures
  are kept as written (they describe the models of that commit).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from pipeline.config import ROOT
from pipeline.ingest.listing_entries import ENTRY_MODEL
from pipeline.ingest.listing_model import LINE_MODEL, SEGMENT_MODEL
from pipeline.tools.train_listing import MODEL_DIR, PAGES, Tally, load_pages, read_page


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("prefixes", nargs="*", help="page-name prefixes (default: every page)")
    ap.add_argument("--folder", type=Path, default=PAGES, help="annotated pages' folder")
    ap.add_argument("--write", type=Path)
    a = ap.parse_args()
    pages = [p for p in load_pages(a.folder) if p.name.startswith(tuple(a.prefixes or [""]))]
    total, per_page = Tally(), {}
    for page in pages:
        records = read_page(page)
        t = Tally()
        t.add(page, records)
        total.add(page, records)
        per_page[page.name] = t.scores()
    models = hashlib.sha256(b"".join(
        (MODEL_DIR / name).read_bytes() for name in (LINE_MODEL, SEGMENT_MODEL, ENTRY_MODEL))
    ).hexdigest()
    where = a.folder.resolve().relative_to(ROOT) if a.folder.resolve().is_relative_to(ROOT) \
        else a.folder
    names = f" {' '.join(a.prefixes)}*" if a.prefixes else ""
    standing = a.folder.resolve() != PAGES.resolve()
    report = {"set": f"pages{names} of {where} (not trained on: blind)", "folder": str(where),
              "standing": standing,
              "models_sha256": models[:16], "pages": len(pages),
              "entries": sum(len(p.gold) for p in pages), **total.scores(),
              "per_page": per_page}
    if a.write:
        a.write.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "per_page"}))


if __name__ == "__main__":
    main()
