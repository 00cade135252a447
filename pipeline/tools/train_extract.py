"""Train the value-link tagger (`pipeline/extract/recognise.py`) and cross-validate it.

Data (all in the repository): the gold sets that may be trained on, each with its raw input:

- `tests/fixtures/annotated/gold/dev.gold.jsonl` (193 papers; the `blind` split of the same
  folder is never read here);
- `tests/fixtures/gold/seeds.jsonl` (the two seed pages, `data/raw/`);
- `tests/fixtures/gold/hf_mirror_2026-06-21.gold.jsonl` and `heldout_hf.jsonl` (Hugging Face
  Daily Papers days).

Held-out B (`heldout_hf_b.jsonl`) is a blind set and is never read here.

The raw inputs go through the whole pipeline once (for the abstracts as extract sees them).
Each gold result whose number is found in its evidence, and whose gold metric the number's
sentence spells out (the gold name, its plural, or a spelling that `gazetteers/metrics.csv`
or the evaluator's synonyms give the same metric), gives one training sequence: the tokens of
the sentence, the number marked as the target, the words of the metric labelled `M` (the
occurrence nearest the number), the rest `O`. A metric the sentence does not spell out
teaches nothing sure and is left out.

`python -m pipeline.tools.train_extract` writes `pipeline/extract/models/value_links.crfsuite`;
`--cv K` scores K folds by paper (each fold's papers read with a model trained on the other
folds) against the gold with the evaluator's matching, beside the rules alone on the same
papers, per set and together; also how often a matched value carries the gold's model
(`--write FILE` saves the figures). CRFsuite's L-BFGS has no randomness: the same data
gives a byte-identical model file.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import regex

from pipeline import crf
from pipeline.config import ROOT
from pipeline.extract import recognise, resources
from pipeline.extract.batch import sentences_of
from pipeline.extract.claims import build_results
from pipeline.extract.tag import Tags, tag_text
from pipeline.records import Result
from pipeline.tools import crossval, evaluate

FIX = ROOT / "tests" / "fixtures"
SETS: tuple[tuple[str, Path, Path], ...] = (
    ("annotated dev", FIX / "annotated" / "gold" / "dev.gold.jsonl", FIX / "annotated" / "raw"),
    ("seeds", FIX / "gold" / "seeds.jsonl", ROOT / "data" / "raw"),
    ("hf mirror 2026-06-21", FIX / "gold" / "hf_mirror_2026-06-21.gold.jsonl",
     FIX / "formats_shared" / "hf"),
    ("heldout A", FIX / "gold" / "heldout_hf.jsonl", FIX / "formats" / "hf"),
)
"""Held-out B (`heldout_hf_b.jsonl`) and the annotated blind split stay blind: never read."""
MODEL = ROOT / "pipeline" / "extract" / "models" / recognise.MODEL_FILE
PARAMS: dict[str, Any] = {"c1": 0.2, "c2": 0.01, "max_iterations": 200,
                          "feature.possible_transitions": True}
_NUM = regex.compile(r"\d+(?:[.,]\d+)*")


@dataclass(slots=True)
class Paper:
    """A gold paper with the abstract extract reads."""

    set_name: str
    key: str
    title: str
    text: str
    gold: dict[str, Any]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _abstracts(raw: Path, work: Path) -> dict[str, list[tuple[str, str, str]]]:
    """normalised title -> [(source file, title, abstract)] of the release built from `raw`."""
    release = evaluate.build_release(raw, work)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for p in pq.read_table(release / "papers.parquet").to_pylist():
        out.setdefault(evaluate.normalise_title(str(p["title"])), []).append(
            (Path(str(p["source_file"])).name, str(p["title"]), str(p["abstract"] or "")))
    return out


def load_papers() -> list[Paper]:
    """Every trainable gold paper that has an abstract, in set order."""
    papers: list[Paper] = []
    done: dict[Path, dict[str, list[tuple[str, str, str]]]] = {}
    with tempfile.TemporaryDirectory(prefix="paperclaims-train-") as tmp:
        for i, (name, gold_path, raw) in enumerate(SETS):
            if raw not in done:
                done[raw] = _abstracts(raw, Path(tmp) / str(i))
            for g in _jsonl(gold_path):
                key = evaluate.normalise_title(g["title"])
                cands = [c for c in done[raw].get(key, []) if c[0] == g["source_file"]]
                if cands and cands[0][2]:
                    papers.append(Paper(name, f"{name}:{key}", cands[0][1], cands[0][2], g))
    return papers


# ----------------------------------------------------------------------------- sequences


@dataclass(slots=True)
class Analysed:
    """A paper's sentences, tags and the rules' results (the tagger switched off)."""

    sentences: list[Any]
    tags: Tags
    rules: list[Result]


def analyse(paper: Paper) -> Analysed:
    sentences = sentences_of(paper.text)
    tags = tag_text(paper.text, [(s.start, s.end) for s in sentences], paper.title)
    recognise.use_tagger(recognise.OFF)
    try:
        rules = build_results("p", paper.text, sentences, tags, [])
    finally:
        recognise.use_tagger(None)
    return Analysed(sentences, tags, rules)


def _find_evidence(text: str, evidence: str) -> tuple[int, int] | None:
    i = text.find(evidence)
    if i >= 0:
        return i, i + len(evidence)
    words = evidence.split()
    if not words:
        return None
    m = regex.search(r"\s+".join(regex.escape(w) for w in words), text)
    return m.span() if m else None


def _variants(metric: str, synonyms: dict[str, str]) -> list[str]:
    """Spellings of a gold metric to look for: itself, its plural, and the aliases that the
    metric table and the evaluator's synonyms give the same metric."""
    key = resources.fold(metric)
    canon = synonyms.get(key, metric)
    table = resources.metrics().alias_to_metric
    out = {metric, metric + "s"}
    out.update(a for a, m in synonyms.items() if m == canon)
    out.update(a for a, m in table.items() if m == canon and resources.fold(canon) == key)
    return sorted((v for v in out if v.strip()), key=len, reverse=True)


def _occurrences(text: str, start: int, end: int, phrase: str) -> list[tuple[int, int]]:
    rx = regex.compile(r"(?<![\w])" + regex.escape(phrase) + r"(?![\w])", regex.IGNORECASE)
    return [m.span() for m in rx.finditer(text, start, end)]


def _token_run(sent: recognise.Sentence, s: int, e: int) -> list[int]:
    return [i for i, (ts, te) in enumerate(sent.tokens) if s <= ts and te <= e]


def sequences(paper: Paper, an: Analysed, synonyms: dict[str, str],
              ) -> Iterator[tuple[list[recognise.Features], list[str]]]:
    """One (features, labels) sequence per gold result found in the abstract."""
    text = paper.text
    for r in paper.gold.get("results", []):
        span = _find_evidence(text, r.get("evidence") or "")
        if span is None:
            continue
        value = abs(float(r["value"]))
        hit = next((m for m in _NUM.finditer(text, span[0], span[1])
                    if abs(float(m.group().replace(",", "")) - value) < 1e-6), None)
        if hit is None:
            continue
        sent = next((s for s in an.sentences if s.start <= hit.start() < s.end), None)
        if sent is None:
            continue
        features, labels = encode(text, sent.start, sent.end, hit.start(), an, r, synonyms)
        if "M" in labels:  # a metric the sentence does not spell out teaches nothing sure
            yield features, labels


def encode(text: str, s0: int, e0: int, value_start: int, an: Analysed,
           gold: dict[str, Any] | None, synonyms: dict[str, str],
           ) -> tuple[list[recognise.Features], list[str]]:
    """The tagger's input for one value, and (with `gold`) its labels."""
    sent = recognise.sentence_of(text, s0, e0, an.tags)
    t = recognise.target_index(sent, value_start)
    if t is None:
        return [], []
    num = _NUM.match(text, value_start)
    value = float(num.group().replace(",", "")) if num else None
    rule = next((x.metric for x in an.rules if x.start == s0 and value is not None
                 and abs(abs(x.value) - value) < 1e-9), None)
    rule_spans = [(m.start, m.end) for m in an.tags.metrics
                  if s0 <= m.start and m.end <= e0 and str(m.value) == rule]
    feats = recognise.target_features(sent, t, rule_spans)
    seen = recognise.window(sent, t)
    labels = ["O"] * len(feats)
    if gold is None:
        return feats, labels
    tpos = sent.tokens[t][0]
    occ = [o for n in _variants(str(gold["metric"]), synonyms)
           for o in _occurrences(text, s0, e0, n) if not (o[0] <= tpos < o[1])]
    if occ:
        best = min(occ, key=lambda o: (abs(o[0] - tpos), -(o[1] - o[0])))
        run = [i for i in _token_run(sent, *best) if i != t]
        if not all(i in seen for i in run):
            return feats, labels  # named outside what the tagger sees: no sure label
        for i in run:
            labels[i - seen.start] = "M"
    return feats, labels


# ----------------------------------------------------------------------------- training


def training_data(papers: Sequence[Paper], analysed: Sequence[Analysed],
                  synonyms: dict[str, str]) -> list[tuple[list[recognise.Features], list[str]]]:
    """Every training sequence of `papers`, in order."""
    return [s for p, a in zip(papers, analysed, strict=True) for s in sequences(p, a, synonyms)]


def train(data: Sequence[tuple[list[recognise.Features], list[str]]]) -> bytes:
    """A model trained on `data`, as the bytes of its file."""
    return crf.train(data, PARAMS)


def _results(paper: Paper, an: Analysed) -> list[Result]:
    return build_results("p", paper.text, an.sentences, an.tags, [])


_NAME = evaluate.metric_namer()


def _same_value(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    return bool(_NAME(gold["metric"]) == _NAME(pred["metric"])
                and evaluate.values_equal(gold["value"], pred["value"]))


def score(papers: Sequence[Paper], predicted: Sequence[list[Result]]) -> dict[str, Any]:
    """Result values and tuples F1 with the evaluator's matching (`pipeline eval`)."""
    t_val, t_tup = evaluate.Tally(), evaluate.Tally()
    models = {"tp": 0, "fp": 0, "fn": 0}
    for paper, pred in zip(papers, predicted, strict=True):
        g = paper.gold
        ds = evaluate.dataset_matcher(g)
        gold = [(r, bool(r.get("core", True))) for r in g.get("results", [])]
        rows: list[dict[str, Any]] = [
            {"metric": r.metric, "value": r.value, "dataset": r.dataset, "unit": r.unit,
             "model": r.model} for r in pred]
        t_val.match(paper.key, gold, rows, _same_value, str)
        t_tup.match(paper.key, gold, rows, partial(evaluate.same_tuple, _NAME, ds), str)
        for gr, _core in gold:
            hit = next((r for r in rows if _same_value(gr, r)), None)
            if hit is None:
                continue
            gm, pm = evaluate.norm(gr.get("model")), evaluate.norm(hit.get("model"))
            if gm and pm == gm:
                models["tp"] += 1
            else:
                models["fp"] += bool(pm)
                models["fn"] += bool(gm)
    out = {}
    for key, t in (("result_values", t_val), ("result_tuples", t_tup)):
        s = t.score()
        out[key] = {"precision": s.precision, "recall": s.recall, "f1": s.f1,
                    "tp": s.tp, "fp": s.fp, "fn": s.fn}
    tp, fp, fn = models["tp"], models["fp"], models["fn"]
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    out["models_of_matched_values"] = {
        "precision": round(p, 4), "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}
    return out


def cross_validate(papers: Sequence[Paper], analysed: Sequence[Analysed], k: int,
                   synonyms: dict[str, str]) -> dict[str, Any]:
    seqs = [list(sequences(p, a, synonyms)) for p, a in zip(papers, analysed, strict=True)]
    learned: list[list[Result]] = [[] for _ in papers]
    rules: list[list[Result]] = [[] for _ in papers]
    folds = [crossval.fold_of(p.key, k) for p in papers]
    for f in range(k):
        data = [s for fp, ss in zip(folds, seqs, strict=True) if fp != f for s in ss]
        recognise.use_tagger(recognise.tagger_from_bytes(train(data)))
        try:
            for i, p in enumerate(papers):
                if folds[i] == f:
                    learned[i] = _results(p, analysed[i])
        finally:
            recognise.use_tagger(None)
    recognise.use_tagger(recognise.OFF)
    try:
        for i, p in enumerate(papers):
            rules[i] = _results(p, analysed[i])
    finally:
        recognise.use_tagger(None)
    report: dict[str, Any] = {"folds": k, "by_set": {}}
    for set_name in [s[0] for s in SETS]:
        idx = [i for i, p in enumerate(papers) if p.set_name == set_name]
        sub = [papers[i] for i in idx]
        report["by_set"][set_name] = {
            "papers": len(sub),
            "learned": score(sub, [learned[i] for i in idx]),
            "rules_only": score(sub, [rules[i] for i in idx]),
        }
    report["all"] = {"papers": len(papers), "learned": score(papers, learned),
                     "rules_only": score(papers, rules)}
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = crossval.parser("pipeline.tools.train_extract", __doc__ or "").parse_args(argv)
    t0 = time.perf_counter()
    papers = load_papers()
    analysed = [analyse(p) for p in papers]
    synonyms = evaluate.metric_synonyms()
    if args.cv:
        report = cross_validate(papers, analysed, args.cv, synonyms)
        report["sets"] = {name: str(path.relative_to(ROOT)) for name, path, _raw in SETS}
        crossval.save(report, "pipeline.tools.train_extract", args)
        print(json.dumps(report["all"]))
    else:
        data = training_data(papers, analysed, synonyms)
        MODEL.parent.mkdir(parents=True, exist_ok=True)
        MODEL.write_bytes(train(data))
        print(f"{MODEL.relative_to(ROOT)}: {len(data)} sequences from {len(papers)} papers, "
              f"{MODEL.stat().st_size / 1024:.1f} KB")
    print(f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
