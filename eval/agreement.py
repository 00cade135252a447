"""Inter-annotator agreement on the 50 doubly annotated abstracts.

Annotator A: the first annotation (tests/fixtures/annotated/gold/b1-b3, lines named in
agreement/dup.origin.tsv); annotator B: agreement/dup.gold.jsonl, made independently from the
same texts. Each is scored against the other with `make eval`'s matching (B's core items as
predictions against A as gold, and the reverse); the F1 of the two directions is reported.

    python eval/agreement.py [--write eval/agreement.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from pipeline.tools.evaluate import evaluate_release, write_gold_as_release

ANNOTATED = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "annotated"


def first_annotation() -> list[dict[str, object]]:
    out = []
    for row in (ANNOTATED / "agreement" / "dup.origin.tsv").read_text().splitlines():
        _, name, line = row.split("\t")
        golds = (ANNOTATED / "gold" / f"{name}.gold.jsonl").read_text().splitlines()
        g = json.loads(golds[int(line) - 1])
        g["source_file"] = "dup.jsonl"
        out.append(g)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    a = first_annotation()
    b = [json.loads(x) for x in (ANNOTATED / "agreement" / "dup.gold.jsonl").read_text()
         .splitlines() if x.strip()]
    assert [x["title"] for x in a] == [x["title"] for x in b], "the two files are not aligned"
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        reports = {}
        for name, gold, pred in (("b_vs_a", a, b), ("a_vs_b", b, a)):
            gold_path = Path(tmp) / f"{name}.gold.jsonl"
            gold_path.write_text("\n".join(json.dumps(g) for g in gold) + "\n")
            write_gold_as_release(pred, Path(tmp) / name)
            reports[name] = evaluate_release(Path(tmp) / name, gold_path)
    for field in ("datasets", "resolutions", "urls", "result_numbers", "result_values",
                  "result_tuples"):
        f1s = [reports[k].fields[field].f1 for k in reports]
        figures[field] = {"f1_b_vs_a": round(f1s[0], 3), "f1_a_vs_b": round(f1s[1], 3),
                          "mean_f1": round(sum(f1s) / 2, 3)}
        print(f"{field:14s} F1 B vs A {f1s[0]:.3f}   A vs B {f1s[1]:.3f}")
    if args.write:
        args.write.write_text(json.dumps({"papers": len(a), "fields": figures}, indent=2,
                                         sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
