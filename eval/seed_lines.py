"""Write line labels for the two seed pages (`tests/fixtures/pages/lines/seed_*.lines.tsv`).

The seed pages were read exactly by the rule reader of commit bf51c1f (every title, author
and abstract equal to `tests/fixtures/gold/seeds.jsonl`), so their line labels are taken
from that reader's entries and checked against the gold here: a title line must equal a gold
title, an authors line a gold author of the same entry, an abstract line the gold abstract.
Run once, from the repository root, with that commit checked out:
`python eval/seed_lines.py`.
On the current code it fails by design: the names it takes from `listing_text`
(`classify_line`, `parse_names`) moved to `pipeline/ingest/listing_rules.py`, and
`segment_entries` is now the learned reader trained on the very files this script writes,
which is why it must be run at bf51c1f.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.ingest import listing_text

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests/fixtures/seeds"
GOLD = ROOT / "tests/fixtures/gold/seeds.jsonl"
OUT = ROOT / "tests/fixtures/pages/lines"


def main() -> None:
    gold = {(g["source_file"], g["title"]): g for g in
            (json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines() if x.strip())}
    for page in sorted(SEEDS.glob("*.txt")):
        lines = page.read_text(encoding="utf-8").splitlines()
        labels = ["blank" if not t.strip() else "chrome" for t in lines]
        entry = [0] * len(lines)
        for idx, e in enumerate(listing_text.segment_entries(enumerate(lines, 1)), 1):
            assert e.title is not None
            g = gold[(page.name, e.title[1])]
            for n, text in e.lines:
                kind = listing_text.classify_line(text)
                label = {"abstract": "abstract", "url": "venue_links", "names": "authors",
                         "title": "title"}[kind]
                if n == e.title[0]:
                    label = "title"
                elif label == "authors":
                    names = listing_text.parse_names(text) or ()
                    assert set(names) <= set(g["authors"]), (page.name, n, text)
                elif label == "abstract":
                    assert text.strip() in (g.get("abstract") or text.strip()), (page.name, n)
                labels[n - 1] = label
                entry[n - 1] = idx
        out = OUT / f"seed_{page.stem}.lines.tsv"
        out.write_text("".join(f"{i}\t{lab}\t{e}\n" for i, (lab, e)
                               in enumerate(zip(labels, entry, strict=True), 1)), encoding="utf-8")
        print(out.relative_to(ROOT), len(lines), "lines")


if __name__ == "__main__":
    main()
