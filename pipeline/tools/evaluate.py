"""Score a published release against the gold annotations (precision / recall / F1 per field).

Gold follows `tests/fixtures/gold/SCHEMA.md`. Recall counts core items only; precision counts
a prediction as correct when it matches a core or a borderline (`core: false`) item, and
ignores predictions that only match borderline items. Papers are aligned by normalised title
(and source file when titles repeat); only release papers from the gold's source files are
scored, so a release built from more inputs can be evaluated too. A gold file may annotate only
some papers of a source file (the held-out gold covers 30 of a mirror file's 50 papers), so a
predicted paper that aligns to no gold paper is not a false positive: it is counted in
`unaligned_predicted` and none of its rows are scored.
"""

from __future__ import annotations

import csv
import json
import math
import string
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import regex

from pipeline.config import ROOT
from pipeline.errors import InputError


@dataclass(slots=True)
class FieldScore:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class EvalReport:
    fields: dict[str, FieldScore]
    gold_papers: int = 0
    aligned_papers: int = 0
    unaligned_predicted: int = 0
    """Release papers from the gold's source files that align to no gold paper (not scored)."""
    unaligned_titles: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold_papers": self.gold_papers,
            "aligned_papers": self.aligned_papers,
            "unaligned_predicted": self.unaligned_predicted,
            "fields": {k: asdict(v) for k, v in self.fields.items()},
        }

    def format_text(self) -> str:
        lines = [f"papers in gold: {self.gold_papers}, aligned: {self.aligned_papers}, "
                 f"unaligned predicted (not scored): {self.unaligned_predicted}", "",
                 f"{'field':<15}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
        for name, s in self.fields.items():
            lines.append(f"{name:<15}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
                         f"{s.tp:>6}{s.fp:>6}{s.fn:>6}")
        for name, s in self.fields.items():
            if s.misses:
                lines.append(f"\n{name}: misses")
                lines.extend(f"  - {m}" for m in s.misses)
            if s.false_positives:
                lines.append(f"\n{name}: false positives")
                lines.extend(f"  + {m}" for m in s.false_positives)
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- helpers


def normalise_title(title: str) -> str:
    t = unicodedata.normalize("NFKC", title).casefold()
    t = regex.sub(r"[^\w]+", " ", t)
    return " ".join(t.split())


def norm(s: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", s or "").casefold().split())


def author_key(name: str | None) -> str:
    """A person's name as the scorers compare it: `norm`, and a "Last, First" name turned
    round ("Bengio, Y." is "y. bengio"). Gold copies a name as its page writes it; the
    reader writes the given name first."""
    n = norm(name)
    if n.count(",") == 1:
        last, first = (p.strip() for p in n.split(","))
        if last and first:
            n = f"{first} {last}"
    return n


def _norm_url(u: str) -> str:
    return u.strip().rstrip("/")


def values_equal(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def _score(tp: int, fp: int, fn: int, misses: list[str], fps: list[str]) -> FieldScore:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return FieldScore(round(p, 4), round(r, 4), round(f, 4), tp, fp, fn, misses, fps)


@dataclass(slots=True)
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    fps: list[str] = field(default_factory=list)

    def match(self, where: str, gold: list[tuple[Any, bool]], pred: list[Any],
              same: Callable[[Any, Any], bool], show: Callable[[Any], str]) -> None:
        """Greedy one-to-one matching: core gold first, then borderline absorbs the rest."""
        free = list(range(len(pred)))
        for item, core in gold:
            if not core:
                continue
            hit = next((i for i in free if same(item, pred[i])), None)
            if hit is None:
                self.fn += 1
                self.misses.append(f"{where}: {show(item)}")
            else:
                self.tp += 1
                free.remove(hit)
        for item, core in gold:
            if core:
                continue
            hit = next((i for i in free if same(item, pred[i])), None)
            if hit is not None:
                free.remove(hit)
        for i in free:
            self.fp += 1
            self.fps.append(f"{where}: {show(pred[i])}")

    def score(self) -> FieldScore:
        return _score(self.tp, self.fp, self.fn, self.misses, self.fps)


def _read(release_dir: Path, table: str) -> list[dict[str, Any]]:
    path = release_dir / f"{table}.parquet"
    if not path.exists():
        if table == "papers":
            raise InputError(f"{path}: missing; is {release_dir} a release folder?")
        return []
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


def _group(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(str(r["paper_id"]), []).append(r)
    return out


SYNONYMS_CSV = Path(__file__).with_name("metric_synonyms.csv")
"""The evaluator's own metric synonyms: a frozen table, not the extractor's gazetteer, so the
scores cannot move because the extractor learned a new alias."""


def metric_synonyms(path: Path = SYNONYMS_CSV) -> dict[str, str]:
    """alias (ASCII-lowercased) -> canonical metric, from `metric_synonyms.csv`."""
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]
    return {row["alias"]: row["metric"] for row in csv.DictReader(lines)}


def metric_namer() -> Callable[[str | None], str]:
    """Canonical metric via the evaluator's synonym table (so "zero-shot generalization" in
    the gold and "generalization" in a release are the same metric)."""
    table = metric_synonyms()
    ascii_lower = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

    def name(m: str | None) -> str:
        key = (m or "").strip().translate(ascii_lower)
        return norm(table.get(key, table.get(key.lower(), m or "")))

    return name


DatasetMatch = Callable[[str | None, str | None], bool]


def _same_resolution(ds_match: DatasetMatch, gr: dict[str, Any], pr: dict[str, Any]) -> bool:
    return int(gr["pixels"]) == int(pr["pixels"]) and (
        gr.get("dataset") is None or ds_match(gr.get("dataset"), pr.get("dataset")))


def same_tuple(metric_name: Callable[[str | None], str], ds_match: DatasetMatch,
                gr: dict[str, Any], pr: dict[str, Any]) -> bool:
    """Same metric (by the synonym table), value and dataset."""
    return (metric_name(gr["metric"]) == metric_name(pr["metric"])
            and values_equal(gr["value"], pr["value"])
            and ds_match(gr.get("dataset"), pr.get("dataset")))


def same_full(metric_name: Callable[[str | None], str], ds_match: DatasetMatch,
              gr: dict[str, Any], pr: dict[str, Any]) -> bool:
    """`same_tuple`, and the same resolution, sampling steps and role (the issue's "full"
    tuple)."""
    steps = (gr.get("qualifiers") or {}).get("steps")
    return (same_tuple(metric_name, ds_match, gr, pr)
            and gr.get("resolution") == pr.get("resolution")
            and steps == pr.get("steps")
            and gr.get("role", "proposed") == pr.get("role"))


def _model(gold_result: dict[str, Any]) -> str:
    """The model the gold credits the number to: the contract's `model` field where the gold
    has it (v3 annotations; null there means none), else the older `qualifiers.model`."""
    if "model" in gold_result:
        return str(gold_result["model"] or "")
    return str((gold_result.get("qualifiers") or {}).get("model") or "")


def same_model(gr: dict[str, Any], pr: dict[str, Any]) -> bool:
    """Same value, and the model the gold names is the predicted one (either name may hold
    the other: "the repaired 1B" / "1B")."""
    gold, pred = norm(_model(gr)), norm(str(pr.get("model") or ""))
    return values_equal(gr["value"], pr["value"]) and bool(gold) and bool(pred) and (
        gold in pred or pred in gold)


def same_task(gr: dict[str, Any], pr: dict[str, Any]) -> bool:
    """Same value, and the task the gold names is the predicted one."""
    return values_equal(gr["value"], pr["value"]) and bool(gr.get("task")) and \
        norm(str(gr["task"])) == norm(str(pr.get("task") or ""))


def build_release(raw: Path, work: Path) -> Path:
    """`python -m pipeline run` on `raw` in a fresh process (work files under `work`); the
    release folder. A failed run stops the calling tool with the run's error output."""
    out = work / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--no-progress", "--raw-dir", str(raw),
         "--out-dir", str(out), "--work-dir", str(work / "work")],
        capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"pipeline run on {raw} failed:\n{proc.stderr[-3000:]}")
    return out


def dataset_matcher(gold_paper: dict[str, Any]) -> DatasetMatch:
    """Whether a predicted dataset name is a gold paper's dataset: its name or an alias the
    gold lists (both None: a result without a dataset on either side)."""
    names: dict[str, set[str]] = {}
    for d in gold_paper.get("datasets", []):
        names.setdefault(norm(d["name"]), set()).update(
            {norm(d["name"]), *(norm(a) for a in d.get("aliases", []))})

    def same(gold_name: str | None, pred_name: str | None) -> bool:
        if gold_name is None or pred_name is None:
            return gold_name is None and pred_name is None
        return norm(pred_name) in names.get(norm(gold_name), {norm(gold_name)})

    return same


# ----------------------------------------------------------------------------- main


def evaluate_release(release_dir: Path, gold_path: Path, complete: bool = False) -> EvalReport:
    """Score the release tables in `release_dir` against the gold JSONL at `gold_path`.

    complete: the gold annotates every paper of its source files (listing pages), so a
    release paper that aligns to no gold paper is a false positive of `papers`.
    """
    try:
        gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(f"{gold_path}: cannot read gold: {e}") from e
    papers = _read(release_dir, "papers")
    links = _group(_read(release_dir, "code_links"))
    mentions = _group(_read(release_dir, "dataset_mentions"))
    resolutions = _group(_read(release_dir, "resolutions"))
    results = _group(_read(release_dir, "results"))
    metric_name = metric_namer()

    gold_files = {g["source_file"] for g in gold}
    scored = [p for p in papers if Path(str(p["source_file"])).name in gold_files]
    by_title: dict[str, list[dict[str, Any]]] = {}
    for p in scored:
        by_title.setdefault(normalise_title(str(p["title"])), []).append(p)

    t_papers, t_authors, t_urls, t_ds = Tally(), Tally(), Tally(), Tally()
    t_res, t_val, t_tup, t_full, t_model = Tally(), Tally(), Tally(), Tally(), Tally()
    t_task = Tally()
    # Only the annotations of contract v3 name tasks: an older gold set scores no task.
    has_tasks = any(r.get("task") for g in gold for r in g.get("results", []))
    t_num = Tally()
    used: set[str] = set()
    aligned = 0
    for g in gold:
        title = g["title"]
        where = title[:60]
        cands = [p for p in by_title.get(normalise_title(title), [])
                 if str(p["paper_id"]) not in used]
        same_file = [p for p in cands if Path(str(p["source_file"])).name == g["source_file"]]
        pick = same_file or cands
        pred: dict[str, Any] | None = pick[0] if pick else None
        pid = str(pred["paper_id"]) if pred is not None else None
        if pred is not None and pid is not None and same_file:
            used.add(pid)
            aligned += 1
            t_papers.tp += 1
        else:
            t_papers.fn += 1
            t_papers.misses.append(f"{where} ({g['source_file']})")
            if pred is not None and pid is not None:
                used.add(pid)
                aligned += 1
        ds_match = dataset_matcher(g)

        authors = list(pred["authors"] or []) if pred is not None else []
        t_authors.match(where, [(author_key(a), True) for a in g.get("authors", [])],
                        [author_key(a) for a in authors], lambda a, b: a == b, str)
        gold_urls = [(_norm_url(u), True) for u in g.get("code_urls", []) + g.get("other_urls", [])]
        pred_urls = [_norm_url(str(r["url"])) for r in links.get(pid or "", [])]
        t_urls.match(where, gold_urls, pred_urls, lambda a, b: a == b, str)

        gold_ds = [(d, bool(d.get("core", True))) for d in g.get("datasets", [])]
        pred_ds = mentions.get(pid or "", [])
        t_ds.match(
            where, gold_ds, pred_ds,
            lambda d, r: bool({norm(r["dataset"]), norm(r["mention"])}
                              & {norm(d["name"]), *(norm(a) for a in d.get("aliases", []))}),
            lambda x: str(x.get("name") if "name" in x else f"{x['dataset']} ({x['mention']})"),
        )
        gold_res = [(r, bool(r.get("core", True))) for r in g.get("resolutions", [])]
        t_res.match(
            where, gold_res, resolutions.get(pid or "", []),
            partial(_same_resolution, ds_match),
            lambda x: f"{x['pixels']} {x.get('dataset')} ({x.get('mention')})",
        )
        gold_results = [(r, bool(r.get("core", True))) for r in g.get("results", [])]
        pred_results = results.get(pid or "", [])
        t_num.match(  # the number alone, whatever the metric is called
            where, gold_results, pred_results,
            lambda gr, pr: values_equal(gr["value"], pr["value"]),
            lambda x: f"{x['value']}{x.get('unit') or ''} ({x['metric']})",
        )
        t_val.match(
            where, gold_results, pred_results,
            lambda gr, pr: metric_name(gr["metric"]) == metric_name(pr["metric"])
            and values_equal(gr["value"], pr["value"]),
            lambda x: f"{x['metric']}={x['value']}{x.get('unit') or ''}",
        )
        t_tup.match(
            where, gold_results, pred_results,
            partial(same_tuple, metric_name, ds_match),
            lambda x: f"{x['metric']}={x['value']}{x.get('unit') or ''} on {x.get('dataset')}",
        )
        t_full.match(
            where, gold_results, pred_results,
            partial(same_full, metric_name, ds_match),
            lambda x: f"{x['metric']}={x['value']}{x.get('unit') or ''} on {x.get('dataset')} "
                      f"res={x.get('resolution')} steps="
                      f"{x.get('steps', (x.get('qualifiers') or {}).get('steps'))} "
                      f"role={x.get('role')}",
        )
        t_model.match(
            where, [(r, c) for r, c in gold_results if _model(r)],
            [r for r in pred_results if r.get("model")], same_model,
            lambda x: f"{x['value']} by {x.get('model') or _model(x)}",
        )
        t_task.match(  # reported only for gold sets that annotate tasks (below)
            where, [(r, c) for r, c in gold_results if r.get("task")],
            [r for r in pred_results if r.get("task")], same_task,
            lambda x: f"{x['value']} in {x.get('task')}",
        )
    # Papers of the gold's files that the gold does not annotate: not false positives.
    unaligned = [f"{str(p['title'])[:60]} ({p['source_file']})" for p in scored
                 if str(p["paper_id"]) not in used]
    if complete:
        t_papers.fp += len(unaligned)
        t_papers.fps.extend(unaligned)
    fields = {
        "papers": t_papers.score(),
        "authors": t_authors.score(),
        "urls": t_urls.score(),
        "datasets": t_ds.score(),
        "resolutions": t_res.score(),
        "result_numbers": t_num.score(),
        "result_values": t_val.score(),
        "result_tuples": t_tup.score(),
        "result_full": t_full.score(),
        "result_models": t_model.score(),
    }
    if has_tasks:
        fields["result_tasks"] = t_task.score()
    return EvalReport(fields, gold_papers=len(gold), aligned_papers=aligned,
                      unaligned_predicted=len(unaligned), unaligned_titles=unaligned)


def write_gold_as_release(gold: list[dict[str, Any]], folder: Path, core_only: bool = True) -> None:
    """Write a second annotator's gold as the release tables `evaluate_release` reads, so two
    annotations of the same papers are compared by the same matching (agreement).

    core_only: leave out the annotator's borderline (`core: false`) items, as a cautious
    extractor would.
    """
    import pyarrow as pa

    def keep(item: dict[str, Any]) -> bool:
        return bool(item.get("core", True)) or not core_only

    tables: dict[str, list[dict[str, Any]]] = {
        "papers": [], "code_links": [], "dataset_mentions": [], "resolutions": [], "results": []
    }
    for i, g in enumerate(gold):
        pid = f"gold:{i}"
        tables["papers"].append({"paper_id": pid, "title": g["title"],
                                 "authors": list(g.get("authors", [])),
                                 "source_file": g["source_file"]})
        for url in [*g.get("code_urls", []), *g.get("other_urls", [])]:
            tables["code_links"].append({"paper_id": pid, "url": url})
        for d in g.get("datasets", []):
            if keep(d):
                mention = d.get("mention") or d["name"]
                tables["dataset_mentions"].append(
                    {"paper_id": pid, "dataset": d["name"], "mention": mention})
        for r in g.get("resolutions", []):
            if keep(r):
                tables["resolutions"].append({"paper_id": pid, "pixels": int(r["pixels"]),
                                              "dataset": r.get("dataset"),
                                              "mention": r.get("mention")})
        for r in g.get("results", []):
            if keep(r):
                tables["results"].append({"paper_id": pid, "metric": r["metric"],
                                          "value": float(r["value"]), "unit": r.get("unit"),
                                          "dataset": r.get("dataset")})
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        pq.write_table(pa.Table.from_pylist(rows), folder / f"{name}.parquet")
