"""Build a large arXiv-Kaggle JSON-lines corpus from the bundled inputs' real sentences.

Deterministic (seeded), no download: sentences come from the seed pages and the real
abstracts in tests/fixtures/formats; claim sentences (a number and a metric word) are mixed
in at about the seeds' density of result claims per abstract (`CLAIMS_PER_ABSTRACT`). Titles
and ids are unique.

    python -m bench.corpus --n 100000 --out bench/corpus/arxiv-100k.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


ARXIV_HEAD = FIX / "formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl"
HF_DAILY = FIX / "formats/hf/daily_papers_2024-10-25.json"
HF_MIRROR = FIX / "formats/hf/saffee666_hf-daily-papers-mirror_index_2026-10-03.json"
PWC = FIX / "formats/pwc/papers_api_list.json"


def _sources() -> list[Path]:
    return [ARXIV_HEAD, HF_DAILY, HF_MIRROR, PWC, *sorted((FIX / "seeds").glob("*.txt"))]


def _abstracts() -> list[str]:
    texts: list[str] = []
    for line in ARXIV_HEAD.read_text(encoding="utf-8").splitlines():
        texts.append(json.loads(line)["abstract"])
    hf = json.loads(HF_DAILY.read_text(encoding="utf-8"))
    texts += [p["paper"]["summary"] for p in hf]
    mirror = json.loads(HF_MIRROR.read_text(encoding="utf-8"))
    texts += [p["summary"] for p in mirror["papers"]]
    pwc = json.loads(PWC.read_text(encoding="utf-8"))
    texts += [p["abstract"] or "" for p in pwc["results"]]
    for page in sorted((FIX / "seeds").glob("*.txt")):
        texts += [ln for ln in page.read_text(encoding="utf-8").splitlines() if len(ln) > 300]
    return [t for t in texts if t]


_METRIC_WORDS = re.compile(
    r"%|\b(?:FID|IS|KID|FVD|CLIP|BLEU|ROUGE|mAP|AP|PSNR|SSIM|LPIPS|accuracy|top-[15]|F1|"
    r"score|error|perplexity|win rate|success rate|recall|precision|AUC|WER|speed-?up|faster|"
    r"times|×|NFE|steps)\b",
    re.IGNORECASE,
)
"""What makes a sentence with a number a claim sentence (fixed here, not read from the
gazetteers, so the corpus does not change when extraction does)."""


def sentence_pools() -> tuple[list[str], list[str], list[str]]:
    """(claim sentences, other sentences, title words) from the bundled inputs.

    A claim sentence has a number and a metric word ("FID of 2.1", "+3.2% accuracy");
    every other sentence (with or without numbers: years, "3D", counts) is filler.
    """
    claims: list[str] = []
    other: list[str] = []
    words: set[str] = set()
    for text in _abstracts():
        for s in _SENT.split(" ".join(text.split())):
            if len(s) < 30:
                continue
            is_claim = re.search(r"\d", s) and _METRIC_WORDS.search(s)
            (claims if is_claim else other).append(s)
            words.update(w for w in re.findall(r"[A-Za-z]{4,}", s))
    return sorted(set(claims)), sorted(set(other)), sorted(words)


CLAIMS_PER_ABSTRACT = (0, 0, 1, 1, 1, 2)
"""Claim sentences per abstract, drawn uniformly: 0.83 on average, so that the corpus has
about the seeds' density of result claims (~0.5 per abstract with an abstract)."""


SEED = 20261122


def corpus_path(n: int, folder: Path, seed: int = SEED) -> Path:
    """Where the corpus of `n` abstracts is cached: named by what it is built from."""
    h = hashlib.sha256(Path(__file__).read_bytes() + str(seed).encode())
    for p in _sources():
        h.update(p.read_bytes())
    return folder / f"arxiv-{n}-{h.hexdigest()[:10]}.jsonl"


def build(n: int, out: Path, seed: int = SEED) -> Path:
    rng = random.Random(seed)
    claims, other, words = sentence_pools()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            k = rng.randint(5, 10)  # arXiv abstracts: ~150-250 words
            sents = [rng.choice(other) for _ in range(k)]
            for _ in range(rng.choice(CLAIMS_PER_ABSTRACT)):
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
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args()
    print(build(a.n, a.out, a.seed))


if __name__ == "__main__":
    main()
