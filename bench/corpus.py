"""Build a large arXiv-Kaggle JSON-lines corpus from the bundled inputs' real sentences.

Deterministic (seeded), no download: sentences come from the seed pages and the real
abstracts in tests/fixtures/formats; claim-bearing sentences (with a digit and a metric or
dataset word) are mixed in at the density of the seeds. Titles and ids are unique.

    python -m bench.corpus --n 100000 --out bench/corpus/arxiv-100k.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _abstracts() -> list[str]:
    texts: list[str] = []
    for line in (FIX / "formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl").open():
        texts.append(json.loads(line)["abstract"])
    hf = json.loads((FIX / "formats/hf/daily_papers_2024-10-25.json").read_text())
    texts += [p["paper"]["summary"] for p in hf]
    mirror = json.loads(
        (FIX / "formats/hf/saffee666_hf-daily-papers-mirror_index_2026-10-03.json").read_text()
    )
    texts += [p["summary"] for p in mirror["papers"]]
    pwc = json.loads((FIX / "formats/pwc/papers_api_list.json").read_text())
    texts += [p["abstract"] or "" for p in pwc["results"]]
    for page in sorted((FIX / "seeds").glob("*.txt")):
        texts += [ln for ln in page.read_text().splitlines() if len(ln) > 300]
    return [t for t in texts if t]


def sentence_pools() -> tuple[list[str], list[str], list[str]]:
    """(claim sentences, other sentences, title words) from the bundled inputs."""
    claims: list[str] = []
    other: list[str] = []
    words: set[str] = set()
    for text in _abstracts():
        for s in _SENT.split(" ".join(text.split())):
            if len(s) < 30:
                continue
            (claims if re.search(r"\d", s) else other).append(s)
            words.update(w for w in re.findall(r"[A-Za-z]{4,}", s))
    return sorted(set(claims)), sorted(set(other)), sorted(words)


def build(n: int, out: Path, seed: int = 20261122) -> Path:
    rng = random.Random(seed)
    claims, other, words = sentence_pools()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            k = rng.randint(5, 10)  # arXiv abstracts: ~150-250 words
            sents = [rng.choice(other) for _ in range(k)]
            for _ in range(rng.choice((0, 1, 1, 2))):
                sents.insert(rng.randrange(len(sents) + 1), rng.choice(claims))
            title_words = rng.sample(words, rng.randint(5, 10))
            title = " ".join(title_words).capitalize() + f" {i}"  # unique by construction
            ws = " ".join(sents).split(" ")
            # Hard-wrapped like the snapshot: a newline every dozen words.
            abstract = "  " + "\n".join(" ".join(ws[j : j + 12]) for j in range(0, len(ws), 12))
            rec = {
                "id": f"{2000 + i // 100000:04d}.{i % 100000:05d}",
                "submitter": "Bench",
                "authors": "A. Author, B. Author and C. Author",
                "title": title,
                "comments": None,
                "journal-ref": None,
                "doi": None,
                "report-no": None,
                "categories": "cs.LG",
                "license": None,
                "abstract": abstract.rstrip() + "\n",
                "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                "update_date": "2024-01-01",
                "authors_parsed": [["Author", x, ""] for x in ("A.", "B.", "C.")],
            }
            fh.write(json.dumps(rec) + "\n")
    tmp.replace(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/corpus/arxiv-100k.jsonl")
    ap.add_argument("--seed", type=int, default=20261122)
    a = ap.parse_args()
    print(build(a.n, a.out, a.seed))


if __name__ == "__main__":
    main()
