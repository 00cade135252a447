"""Build `pipeline/ingest/listing_common_words.txt`: words that science abstracts write in
lower case, so that a listing line's "Large Language Models Can Self-Improve" is not read as
a title glued to a person "Can Self-Improve" (`listing_names.glued_names_at`).

Source: the abstracts of `data/train/pwc_train/abstracts.jsonl.gz` (CC BY-SA 4.0; see its
README), without the papers of the Papers with Code check's dev split (`pwc_split.in_dev`).
Kept: every all-lower-case word of two or more letters written at least `MIN_COUNT` times.
Names of people are capitalised in abstracts, so they stay out ("key" and "long" are in; a
surname such as "Welling" is not).

`python -m pipeline.tools.build_common_words` rewrites the list (part of `make train`).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import regex

from pipeline.tools import pwc_split

OUT = Path(__file__).resolve().parents[1] / "ingest" / "listing_common_words.txt"
SOURCE = pwc_split.DATA / "abstracts.jsonl.gz"
MIN_COUNT = 3
_LOWER_WORD = regex.compile(r"(?<![\p{L}\-'’])\p{Ll}{2,}(?![\p{L}'’])")
HEADER = (
    f"# Words written in lower case at least {MIN_COUNT} times in the abstracts of\n"
    "# data/train/pwc_train (CC BY-SA 4.0, Papers with Code and the jd-coderepos/sota\n"
    "# maintainers; the dev split of the Papers with Code check left out). Built by\n"
    "# `python -m pipeline.tools.build_common_words`; one word per line.\n"
)


def common_words(abstracts: Iterable[str], min_count: int = MIN_COUNT) -> list[str]:
    """The lower-case words written at least `min_count` times, sorted."""
    counts: Counter[str] = Counter()
    for text in abstracts:
        counts.update(_LOWER_WORD.findall(text))
    return sorted(w for w, k in counts.items() if k >= min_count)


def read_abstracts(path: Path = SOURCE) -> list[str]:
    """The abstracts of the papers outside the check's dev split."""
    return pwc_split.abstracts(lambda arxiv_id: not pwc_split.in_dev(arxiv_id), path)


def render(words: Sequence[str]) -> str:
    """The list file's text: its header, then one word per line."""
    return HEADER + "".join(w + "\n" for w in words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    words = common_words(read_abstracts())
    args.out.write_text(render(words), encoding="utf-8")
    print(f"{len(words)} words -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
