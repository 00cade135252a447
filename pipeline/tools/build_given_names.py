"""Build `pipeline/ingest/listing_given_names.txt`: given names in Latin script, a feature of
the listing-page reader ("Pola Schwobel, Martin Jørgensen" is a line of names, "Marginal
Likelihood for Invariance Learning" is not).

Source: the person-name lists of the Faker package (MIT licence, © 2012 Daniele Faraglia and
contributors; https://github.com/joke2k/faker): every `first_names*` and
`first_romanized_names*` tuple of its `faker/providers/person/<locale>/__init__.py`, read from
the wheel's source text with `ast` (nothing is imported or run). Kept: names of two or more
letters in Latin script, one word, capitalised; written once each, in sorted order.

`python -m pipeline.tools.build_given_names FAKER_WHEEL` (the file of faker 40.63.0 from PyPI,
`pip download faker==40.63.0 --no-deps`) rewrites the list; it is not part of `make train`,
as the wheel is not a dependency: the list is committed data, like the gazetteers.
"""

from __future__ import annotations

import argparse
import ast
import zipfile
from collections.abc import Sequence
from pathlib import Path

import regex

OUT = Path(__file__).resolve().parents[1] / "ingest" / "listing_given_names.txt"
_NAME = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]+(?:['’-]\p{Lu}?[\p{Ll}\p{M}]+)?")
_LATIN = regex.compile(r"^[\p{Script=Latin}'’-]+$")
HEADER = (
    "# Given names in Latin script (one per line): the listing reader's person-name feature.\n"
    "# Built by `python -m pipeline.tools.build_given_names FAKER_WHEEL` from the first-name\n"
    "# lists of Faker 40.63.0 (MIT licence, (c) 2012 Daniele Faraglia and contributors,\n"
    "# https://github.com/joke2k/faker; licence text in listing_given_names.LICENSE.txt).\n"
)


def names_in_source(source: str) -> set[str]:
    """The strings of every first-name tuple, list or dict assigned in a provider module."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not any(isinstance(t, ast.Name) and t.id.startswith(("first_names",
                                                                 "first_romanized_names"))
                   for t in targets):
            continue
        for sub in ast.walk(node.value) if node.value is not None else ():
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                word = sub.value.strip()
                if _NAME.fullmatch(word) and _LATIN.match(word):
                    out.add(word)
    return out


def build(wheel: Path) -> list[str]:
    names: set[str] = set()
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if member.startswith("faker/providers/person/") and member.endswith("__init__.py"):
                names |= names_in_source(zf.read(member).decode("utf-8"))
    return sorted(names)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.tools.build_given_names",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("wheel", type=Path, help="the faker wheel file")
    args = ap.parse_args(argv)
    names = build(args.wheel)
    OUT.write_text(HEADER + "".join(n + "\n" for n in names), encoding="utf-8")
    print(f"{OUT}: {len(names)} names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
