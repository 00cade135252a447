"""Blind figures of the listing-page reader: pages it never trained on, read by the shipped
models (`python eval/listing_blind.py PREFIX... --write FILE`).

Run when a batch of annotated pages is committed and before the models are retrained on
it; the figures are written once and kept (they describe the models of that commit).
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from pipeline.tools.train_listing import Tally, load_pages, read_page


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("prefixes", nargs="+")
    ap.add_argument("--write", type=Path)
    a = ap.parse_args()
    pages = [p for p in load_pages() if p.name.startswith(tuple(a.prefixes))]
    total, per_page = Tally(), {}
    for page in pages:
        records = read_page(page)
        t = Tally()
        t.add(page, records)
        total.add(page, records)
        per_page[page.name] = t.scores()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()
    report = {"set": f"pages {' '.join(a.prefixes)}* (not trained on: blind)",
              "models_at": commit, "pages": len(pages),
              "entries": sum(len(p.gold) for p in pages), **total.scores(),
              "per_page": per_page}
    if a.write:
        a.write.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "per_page"}))


if __name__ == "__main__":
    main()
