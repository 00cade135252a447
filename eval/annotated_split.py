"""Split the annotated gold (tests/fixtures/annotated/gold/b*.gold.jsonl) into dev and blind.

dev (about 60 %): may be trained and tuned on, with k-fold cross-validation.
blind (about 40 %): never trained or tuned on; only measured.
The split is a fixed function of the title (sha1 of its case-folded, whitespace-collapsed
form), decided before any extractor output on these papers was looked at.

    python eval/annotated_split.py   # rewrites gold/dev.gold.jsonl and gold/blind.gold.jsonl
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "annotated" / "gold"
# the annotated batches (b1 ... b11b), in batch order (b10a after b9b); not dev/blind: this
# script's outputs
SETS = tuple(sorted((p.name.removesuffix(".gold.jsonl") for p in FOLDER.glob("b[0-9]*.gold.jsonl")),
                    key=lambda n: (int(re.sub(r"\D", "", n)), n)))


def split_of(title: str) -> str:
    key = re.sub(r"\s+", " ", title).strip().casefold()
    return "dev" if int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 5 < 3 else "blind"


def main() -> None:
    out: dict[str, list[str]] = {"dev": [], "blind": []}
    for name in SETS:
        for line in (FOLDER / f"{name}.gold.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                out[split_of(json.loads(line)["title"])].append(line)
    for split, lines in out.items():
        (FOLDER / f"{split}.gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{split}: {len(lines)} papers")


if __name__ == "__main__":
    main()
