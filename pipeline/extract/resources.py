"""Load the extraction data files (gazetteers, metric table, patterns, URL host rules).

Every loader validates its file, names `file:line` in a `GazetteerError`, and is cached so
each file is parsed and compiled once per process.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import ahocorasick_rs
import regex
import yaml

from pipeline.config import GAZETTEER_DIR, METRICS_CSV
from pipeline.errors import GazetteerError
from pipeline.extract.prefilter import (
    has_fold_special,
    match_prefixes,
    required_literals,
    whitespace_bound,
)
from pipeline.extract.prescan import PrescanView, compile_prescan, text_mode

PATTERN_DIR = GAZETTEER_DIR / "patterns"
"""(Paths come from `pipeline.config`, not `__file__`: this module may be a build under
`build/native/`.)"""

# Length-preserving case fold (ASCII only), so automaton offsets are text offsets.
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """Lower-case ASCII letters only; the result has the same length as `text`."""
    if text.isascii():
        return text.lower()  # same result, ~20x faster than translate
    # bytes.lower() changes ASCII letters only and UTF-8 encodes every other character in
    # bytes >= 0x80: the same result as translate(_FOLD), ~30x faster.
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


_SPELLING_MARKS = regex.compile(r"[\s\-_'’‐‑–]+")


def spelling(name: str) -> str:
    """A name's key with case, spaces, hyphens, underscores and apostrophes dropped:
    "ACE2005", "ACE 2005" and "ace-2005" are spellings of one name; "+", "*", digits and dots
    still tell names apart ("HumanEval+", "Human3.6M")."""
    return _SPELLING_MARKS.sub("", name.casefold())


class _TextState:
    """What the many scans of one abstract share: its fold, whether pre-checks apply
    (`has_fold_special`), and per pattern file the branches whose `require` holds."""

    __slots__ = ("text", "low", "special", "required", "low_has", "indexed", "positions",
                 "_mode", "kept")

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = fold(text)
        self.special = has_fold_special(text)
        self.required: dict[str, list[bool | None]] = {}
        self.low_has: dict[str, bool] = {}
        """Folded string -> whether `low` contains it."""
        self.indexed: frozenset[str] = frozenset()
        self.positions: dict[str, list[int]] = {}
        """For the strings in `indexed`: every position where each occurs in `low` (none:
        absent), as one automaton pass over the text found them (`set_literal_index`)."""
        self._mode: int | None = None
        self.kept: dict[str, Any] = {}
        """Answers worked out ahead for the text by a batch pass (`kept_states`), by name."""

    @property
    def mode(self) -> int:
        """Which Hyperscan automaton may pre-scan the text (`prescan.text_mode`; 0 none)."""
        if self._mode is None:
            self._mode = text_mode(self.text)
        return self._mode

    def has(self, literal: str) -> bool:
        """Whether `low` contains `literal`."""
        if literal in self.indexed:
            return literal in self.positions
        has = self.low_has.get(literal)
        if has is None:
            has = self.low_has[literal] = literal in self.low
        return has

    def occurrences(self, literal: str, start: int, end: int) -> list[int]:
        """Positions of `literal` inside low[start:end] (overlapping ones too), ascending."""
        if literal in self.indexed:
            n = len(literal)
            return [p for p in self.positions.get(literal, ()) if start <= p and p + n <= end]
        out: list[int] = []
        low = self.low
        i = low.find(literal, start, end)
        while i >= 0:
            out.append(i)
            i = low.find(literal, i + 1, end)
        return out


_state = _TextState("")


_kept: dict[str, _TextState] = {}
"""The states of the batch of texts being extracted (`kept_states`), by text."""


def _text_state(text: str) -> _TextState:
    """The state of `text`: kept for the text last asked about (one abstract at a time),
    or made ahead for the batch (`kept_states`)."""
    global _state
    st = _state
    if st.text is not text:
        st = _kept.get(text) or _TextState(text)
        _state = st
    return st


def text_state(text: str) -> _TextState:
    """The state of `text` (its fold, pre-check and pre-scan modes, kept answers)."""
    return _text_state(text)


def kept_states(texts: list[str]) -> list[_TextState]:
    """A state for each of a batch's texts, kept (in place of the last batch's) until
    `forget_states`: a batch pass can work out per text, engine by engine, what the
    per-text pass would ask for one engine after another (`extract.batch`)."""
    global _kept
    _kept = {}
    for t in texts:
        if t not in _kept:
            _kept[t] = _TextState(t)
    return [_kept[t] for t in texts]


def forget_states() -> None:
    """Drop the kept states (and the texts they hold)."""
    global _kept, _state
    _kept = {}
    _state = _TextState("")


def set_literal_index(text: str, indexed: frozenset[str],
                      positions: dict[str, list[int]]) -> None:
    """Record, for the strings `indexed`, where they occur in fold(text) (a pass the caller
    made anyway): require, pre-check and window look-ups then need no scan of their own."""
    st = _text_state(text)
    st.indexed = indexed
    st.positions = positions


def whole_text_literals(names: tuple[str, ...]) -> frozenset[str]:
    """The folded strings whole-text scans of these pattern files look up."""
    out: set[str] = set()
    for name in names:
        ps = patterns(name)
        out.update(r for roots in ps.require_roots for r in roots)
        out.update(f for folds in ps.require_folds for f in folds)
        out.update(a for fs in ps.whole_factors for f in fs for a in f)
        out.update(a for w in ps.windows if w is not None for a in w[1])
        out.update(a for w, anchors in zip(ps.windows, ps.anchors, strict=True) if w is None
                   for a in anchors)
    return frozenset(out)


def folded(text: str) -> tuple[str, bool]:
    """(fold(text), has_fold_special(text)), computed once per abstract."""
    st = _text_state(text)
    return st.low, st.special


# ----------------------------------------------------------------------------- matching


_LONE_SURROGATE = regex.compile(r"[\ud800-\udfff]")


class Matcher:
    """Every occurrence, overlapping ones too, of a set of strings in a text: an
    Aho-Corasick automaton compiled to a DFA by the Rust `aho-corasick` crate
    (`ahocorasick_rs`). On abstracts it scans ~4x faster than pyahocorasick, whose trie
    searches a node's children one by one (the gazetteer's root has ~70): 57 -> 14 us per
    abstract for the dataset pass.

    `find(text)` -> [(key index, start, end)] in code point offsets, ordered by end;
    `values[i]` is key i's value."""

    __slots__ = ("keys", "values", "_ac")

    def __init__(self, items: dict[str, Any]) -> None:
        self.keys: tuple[str, ...] = tuple(items)
        self.values: tuple[Any, ...] = tuple(items.values())
        self._ac = (
            ahocorasick_rs.AhoCorasick(
                list(self.keys),
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.DFA,
            )
            if self.keys
            else None
        )

    def find(self, text: str) -> list[tuple[int, int, int]]:
        if self._ac is None or not text:
            return []
        try:
            found: list[tuple[int, int, int]] = self._ac.find_matches_as_indexes(
                text, overlapping=True
            )
        except UnicodeEncodeError:
            # A lone surrogate has no UTF-8 form; no key holds one, so no match spans it:
            # the same matches (and offsets) with U+FFFD in its place.
            found = self._ac.find_matches_as_indexes(
                _LONE_SURROGATE.sub("\ufffd", text), overlapping=True
            )
        return found

    def items(self) -> list[tuple[str, Any]]:
        return list(zip(self.keys, self.values, strict=True))


# ----------------------------------------------------------------------------- datasets


@dataclass(frozen=True, slots=True)
class DatasetEntry:
    name: str
    aliases: tuple[str, ...]
    case: str
    """`fold` (case-insensitive) or `exact`."""
    suffix: str
    """`none`, `resolution` (numeric suffix = pixels) or `classes` (never a resolution)."""
    domain: str
    line: int
    context: str = "any"
    """`any`, or `dataset`: the name is also a common acronym or word (GQA = grouped-query
    attention, V* = an optimal value), so it counts only in a dataset context ("on GQA",
    "GQA benchmark", or listed next to another dataset)."""
    context_blocklist: tuple[str, ...] = ()
    """Words that, near the name (same sentence window), show the other sense."""
    parent: str = ""
    """The dataset this one is a version, subset or split of ("AIME 2024" of AIME,
    "MATH-500" of MATH): named on its own, it takes the parent's usual metric and task where
    the tables have none of its own."""


@dataclass(frozen=True, slots=True)
class DatasetGazetteer:
    entries: tuple[DatasetEntry, ...]
    automaton: Matcher
    """Folded surface forms -> tuple[(entry index, surface)]."""
    by_key: dict[str, int]
    """Folded surface form -> entry index (for list expansion look-ups)."""
    by_spelling: dict[str, int]
    """`spelling` of a name or alias -> entry index, for keys only one entry has: the
    canonical name of a dataset a text introduces in another spelling ("InShop")."""
    families: tuple[tuple[str, str], ...]
    """(prefix, joiner) pairs whose list forms expand ("CIFAR-10, -20, -100")."""
    path: str


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML has it (10x faster on the 1,200-entry gazetteer, which
every worker process parses once)."""


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[misc]
    """SafeLoader that rejects duplicate mapping keys and records each mapping's line."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise GazetteerError(
                f"{loader.name}:{key_node.start_mark.line + 1}: duplicate key {key!r}"
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)

_DATASET_FIELDS = {"name", "aliases", "case", "suffix", "domain", "match_name", "context",
                   "context_blocklist", "parent", "__line__"}


def _dataset_doc(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise GazetteerError(f"{path}: cannot read dataset gazetteer: {e}") from e
    loader = _UniqueKeyLoader(text)
    loader.name = str(path)
    try:
        doc = loader.get_single_data()
    except yaml.YAMLError as e:
        raise GazetteerError(f"{path}: invalid YAML: {e}") from e
    finally:
        loader.dispose()
    if not isinstance(doc, dict) or not isinstance(doc.get("datasets"), list):
        raise GazetteerError(f"{path}:1: expected a mapping with a `datasets` list")
    return doc


_NUMBER_SUFFIX = regex.compile(r"(?P<head>.*[A-Za-z]{2})[ -]?(?P<num>\d+)")


def number_variants(form: str) -> list[str]:
    """The other ways to write a name ending in a number after two letters: "SUN397" is also
    "SUN 397" and "SUN-397"; "CIFAR-10" is also "CIFAR10" and "CIFAR 10". A spelling the
    gazetteers write themselves stays theirs (`load_datasets` adds these after them)."""
    m = _NUMBER_SUFFIX.fullmatch(form)
    if m is None:
        return []
    head, num = m.group("head"), m.group("num")
    return [v for v in (f"{head}{num}", f"{head} {num}", f"{head}-{num}") if v != form]


def load_datasets(path: Path, *more: Path) -> DatasetGazetteer:
    """Parse and validate `datasets.yaml` (and further gazetteer files, whose entries follow
    its own and may not reuse its spellings) and build their automaton."""
    docs = [(p, _dataset_doc(p)) for p in (path, *more)]
    entries: list[DatasetEntry] = []
    wheres: list[str] = []
    owner: dict[str, tuple[str, str]] = {}
    surfaces: dict[str, list[tuple[int, str]]] = {}
    written: list[tuple[int, str, list[str]]] = []
    for file, raw in [(p, r) for p, doc in docs for r in doc["datasets"]]:
        line = int(raw.get("__line__", 0)) if isinstance(raw, dict) else 0
        where = f"{file}:{line}"
        if not isinstance(raw, dict):
            raise GazetteerError(f"{where}: entry is not a mapping")
        unknown = set(raw) - _DATASET_FIELDS
        if unknown:
            raise GazetteerError(f"{where}: unknown field(s) {sorted(unknown)}")
        name = raw.get("name")
        aliases = raw.get("aliases", []) or []
        if not isinstance(name, str) or not name.strip():
            raise GazetteerError(f"{where}: `name` must be a non-empty string, got {name!r}")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise GazetteerError(f"{where}: {name}: `aliases` must be a list of strings")
        case = raw.get("case", "fold")
        suffix = raw.get("suffix", "none")
        if case not in ("fold", "exact"):
            raise GazetteerError(f"{where}: {name}: case must be fold or exact, got {case!r}")
        if suffix not in ("none", "resolution", "classes"):
            raise GazetteerError(f"{where}: {name}: bad suffix {suffix!r}")
        context = raw.get("context", "any")
        if context not in ("any", "dataset"):
            raise GazetteerError(f"{where}: {name}: context must be any or dataset, "
                                 f"got {context!r}")
        blocklist = raw.get("context_blocklist", []) or []
        if not isinstance(blocklist, list) or not all(
                isinstance(b, str) and b for b in blocklist):
            raise GazetteerError(f"{where}: {name}: `context_blocklist` must be a list of "
                                 f"non-empty strings")
        parent = raw.get("parent", "")
        if not isinstance(parent, str) or parent == name:
            raise GazetteerError(f"{where}: {name}: `parent` must name another dataset")
        idx = len(entries)
        wheres.append(where)
        entry = DatasetEntry(
            name=name,
            aliases=tuple(aliases),
            case=case,
            suffix=suffix,
            domain=str(raw.get("domain", "")),
            line=line,
            context=context,
            context_blocklist=tuple(fold(b) for b in blocklist),
            parent=parent,
        )
        entries.append(entry)
        forms = ([name] if raw.get("match_name", True) else []) + list(aliases)
        for form in forms:
            key = fold(form) if case == "fold" else form
            if key in owner and owner[key][0] != name:
                other, other_where = owner[key][0], owner[key][1]
                raise GazetteerError(
                    f"{where}: {name}: spelling {form!r} already belongs to "
                    f"{other!r} ({other_where})"
                )
            if key in owner:
                raise GazetteerError(f"{where}: {name}: duplicate spelling {form!r}")
            owner[key] = (name, where)
            surfaces.setdefault(fold(form), []).append((idx, form))
        # Canonical names are always look-up keys for list expansion, even when unmatched.
        owner.setdefault(fold(name) if case == "fold" else name, (name, where))
        written.append((idx, case, forms))
    for idx, case, forms in written:  # after every written spelling, which always wins
        for form in forms:
            for variant in number_variants(form):
                key = fold(variant) if case == "fold" else variant
                if key not in owner and fold(variant) not in surfaces:
                    owner[key] = (entries[idx].name, wheres[idx])
                    surfaces[fold(variant)] = [(idx, variant)]
    automaton = Matcher({key: tuple(vals) for key, vals in surfaces.items()})
    by_key: dict[str, int] = {}
    spellings: dict[str, set[int]] = {}
    named: dict[str, int] = {}
    for idx, ent in enumerate(entries):
        for form in (ent.name, *ent.aliases):
            by_key.setdefault(fold(form), idx)
            spellings.setdefault(spelling(form), set()).add(idx)
        first = named.setdefault(spelling(ent.name), idx)
        if first != idx:
            raise GazetteerError(
                f"{wheres[idx]}: {ent.name}: another spelling of {entries[first].name!r} "
                f"({wheres[first]}); make it an alias of that entry")
    names = {ent.name for ent in entries}
    for idx, ent in enumerate(entries):
        if ent.parent and ent.parent not in names:
            raise GazetteerError(f"{wheres[idx]}: {ent.name}: parent {ent.parent!r} is no "
                                 f"dataset's name")
    by_spelling = {k: next(iter(v)) for k, v in spellings.items() if len(v) == 1}
    families: list[tuple[str, str]] = []
    for file, fam in [(p, f) for p, doc in docs for f in doc.get("families", []) or []]:
        if not isinstance(fam, dict) or not isinstance(fam.get("prefix"), str):
            raise GazetteerError(f"{file}:{fam.get('__line__', 0)}: bad family {fam!r}")
        families.append((fam["prefix"], str(fam.get("joiner", ""))))
    return DatasetGazetteer(tuple(entries), automaton, by_key, by_spelling, tuple(families),
                            str(path))


# ----------------------------------------------------------------------------- metrics


@dataclass(frozen=True, slots=True)
class MetricEntry:
    metric: str
    aliases: tuple[str, ...]
    direction: str
    min: float | None
    max: float | None
    unit: str
    case: str
    relative_only: bool
    needs_ml_context: bool
    """Generic words (accuracy, error, fidelity): a result only in an ML abstract."""
    line: int
    no_dataset: bool = False
    """A speed measured on hardware (FPS, throughput): on a dataset only when the dataset is
    written right after the value ("70 FPS on KITTI")."""


@dataclass(frozen=True, slots=True)
class MetricTable:
    entries: tuple[MetricEntry, ...]
    by_name: dict[str, MetricEntry]
    automaton: Matcher
    """Folded surface -> tuple[(metric, surface, exact)]."""
    alias_to_metric: dict[str, str]
    """Folded name or alias -> canonical metric (used by the evaluator too)."""


CUTOFF = r"\[?(?P<k>\d+(?:\.\d+)?(?::\d+(?:\.\d+)?)?)\]?"
"""A metric's cut-off after its "@" ("10" of nDCG@10), or a range of them ("[0.5:0.95]")."""
_OWN_NUMBER = regex.compile(r"\d")


def takes_cutoff(metric: str) -> bool:
    """Whether a table entry is written with the cut-off a text gives it: an open one
    (Recall@k) or one without a number of its own (NDCG; not "top-5 accuracy", "pass@1")."""
    return metric.endswith("@k") or _OWN_NUMBER.search(metric) is None


def table_names(metric: str) -> tuple[str, ...]:
    """The metric table's names a published metric may stand for, nearest first: a name
    with a cut-off ("NDCG@10", "Recall@20", "mAP@0.5:0.95") is its table entry without
    it (NDCG) or with the open one (Recall@k)."""
    base, at, _ = metric.rpartition("@")
    return (metric, base, f"{base}@k") if at else (metric,)


def table_entry(metric: str) -> str:
    """The metric table's entry a published metric stands for ("Recall@1" -> Recall@k,
    "NDCG@10" -> NDCG); the metric itself when the table has none."""
    by_name = metrics().by_name
    return next((n for n in table_names(metric) if n in by_name), metric)


def with_cutoff(name: str, k: str) -> str:
    """A table entry written with the cut-off `k` its sentence gives (Recall@k, 1 -> Recall@1),
    unless the table has the entry at that cut-off ("Acc@1": top-1 accuracy is accuracy) or
    writes the entry's cut-offs as "top-k" ("Acc@3": top-3 accuracy)."""
    table = metrics().alias_to_metric
    top = table.get(fold(f"top-{k} {name}"))
    if top is not None:
        return top  # "Acc@1": accuracy; "Acc@5": top-5 accuracy
    if table.get(fold(f"top-1 {name}")) == name:
        return f"top-{k} {name}"  # "Acc@3": top-3 accuracy, as "top-5 accuracy" is written
    return f"{name.removesuffix('@k')}@{k}"


_METRIC_COLUMNS = ("metric", "aliases", "direction", "min", "max", "unit", "case")


def _float_or_none(value: str, where: str, column: str) -> float | None:
    if value.strip() == "":
        return None
    try:
        return float(value)
    except ValueError as e:
        raise GazetteerError(f"{where}: column {column}: not a number: {value!r}") from e


def _is_acronym(form: str) -> bool:
    return not any(c.islower() for c in form)


def _plural(form: str) -> str | None:
    """The plural a name takes in text ("AUCs", "F-scores", "win rates"): for names with a
    capital, a hyphen or a space that end in a letter other than "s" (a bare lower-case word
    like "compute" may be a verb with an "s")."""
    if not form[-1:].isalpha() or form[-1] in "sS" or not (
            any(c.isupper() for c in form) or "-" in form or " " in form):
        return None
    return form + "s"


def load_metrics(path: Path) -> MetricTable:
    """Parse and validate `metrics.csv` and build its automaton."""
    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as e:
        raise GazetteerError(f"{path}: cannot read metric table: {e}") from e
    entries: list[MetricEntry] = []
    by_name: dict[str, MetricEntry] = {}
    owner: dict[str, tuple[str, int]] = {}
    surfaces: dict[str, list[tuple[str, str, bool]]] = {}
    with fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _METRIC_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise GazetteerError(f"{path}:1: missing column(s) {missing}")
        for lineno, row in enumerate(reader, start=2):
            where = f"{path}:{lineno}"
            metric = (row.get("metric") or "").strip()
            if not metric:
                raise GazetteerError(f"{where}: empty metric name")
            if metric in by_name:
                raise GazetteerError(f"{where}: duplicate metric {metric!r}")
            direction = (row.get("direction") or "").strip()
            if direction not in ("lower", "higher"):
                raise GazetteerError(f"{where}: {metric}: direction must be lower/higher")
            case = (row.get("case") or "fold").strip() or "fold"
            if case not in ("fold", "exact", "mixed"):
                raise GazetteerError(f"{where}: {metric}: bad case rule {case!r}")
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
            entry = MetricEntry(
                metric=metric,
                aliases=aliases,
                direction=direction,
                min=_float_or_none(row.get("min") or "", where, "min"),
                max=_float_or_none(row.get("max") or "", where, "max"),
                unit=(row.get("unit") or "").strip(),
                case=case,
                relative_only=(row.get("relative_only") or "").strip().lower() == "yes",
                needs_ml_context=(row.get("needs_ml_context") or "").strip().lower() == "yes",
                line=lineno,
                no_dataset=(row.get("no_dataset") or "").strip().lower() == "yes",
            )
            entries.append(entry)
            by_name[metric] = entry
            if metric == "improvement":
                continue  # the fallback for unnamed gains is never matched in text
            for form in (metric, *aliases):
                exact = case == "exact" or (case == "mixed" and _is_acronym(form))
                key = form if exact else fold(form)
                if key in owner and owner[key][0] != metric:
                    raise GazetteerError(
                        f"{where}: {metric}: alias {form!r} already belongs to "
                        f"{owner[key][0]!r} ({path}:{owner[key][1]})"
                    )
                owner[key] = (metric, lineno)
                surfaces.setdefault(fold(form), []).append((metric, form, exact))
    plurals: dict[str, str] = {}
    for ent in entries:
        if ent.metric == "improvement":
            continue
        for form in (ent.metric, *ent.aliases):
            plural = _plural(form)
            exact = ent.case == "exact" or (ent.case == "mixed" and _is_acronym(form))
            key = (plural if exact else fold(plural)) if plural else ""
            if plural and key not in owner and fold(plural) not in plurals:
                plurals[fold(plural)] = ent.metric
                surfaces.setdefault(fold(plural), []).append((ent.metric, plural, exact))
    automaton = Matcher({key: tuple(vals) for key, vals in surfaces.items()})
    alias_to_metric = plurals | {
        fold(f): e.metric for e in entries for f in (e.metric, *e.aliases)}
    return MetricTable(tuple(entries), by_name, automaton, alias_to_metric)


# ----------------------------------------------------------------------------- patterns


def _may_match(factors: tuple[tuple[str, ...], ...], low: str) -> bool:
    """False when a branch with these pre-check factors cannot match in `low` (the folded
    text or region)."""
    for alts in factors:
        for a in alts:
            if a in low:
                break
        else:
            return False
    return True


def _may_match_text(factors: tuple[tuple[str, ...], ...], st: _TextState) -> bool:
    """_may_match on the whole folded text, through its literal index."""
    for alts in factors:
        for a in alts:
            if st.has(a):
                break
        else:
            return False
    return True


def _anchored(rx: Any, st: _TextState, anchors: tuple[str, ...], start: int,
              end: int) -> list[Any]:
    """rx.finditer(text, start, end), trying the pattern only where one of `anchors` (each
    match begins with one) occurs in the folded text."""
    occ: list[int] = []
    for a in anchors:
        occ.extend(st.occurrences(a, start, end))
    return _attempts(rx, st.text, sorted(set(occ)), end)


def _anchored_in(rx: Any, text: str, sub: str, anchors: tuple[str, ...], start: int,
                 end: int) -> list[Any]:
    """The same within one region, `sub` = its folded text."""
    occ: list[int] = []
    for a in anchors:
        j = sub.find(a)
        while j >= 0:
            occ.append(start + j)
            j = sub.find(a, j + 1)
    if not occ:
        return []
    return _attempts(rx, text, sorted(set(occ)), end)


def _attempts(rx: Any, text: str, occ: list[int], end: int) -> list[Any]:
    """What finditer finds when matches can only start at the positions `occ`: the match
    attempt a search makes at a position is `match` there (with the same end)."""
    out: list[Any] = []
    pos = -1
    for q in occ:
        if q < pos:
            continue
        m = rx.match(text, q, end)
        if m is not None:
            out.append(m)
            pos = m.end()
    return out


def _windows(st: _TextState, alts: tuple[str, ...], bound: int, start: int,
             end: int) -> list[tuple[int, int]]:
    """Regions of low[start:end] that hold every match of a pattern that has one of `alts`
    in each match and at most `bound` whitespace characters: from after the (bound+1)-th
    space before an occurrence to the (bound+1)-th space from it (+1 for a `\\b` there),
    merged. Counting spaces only (not all whitespace) can only widen a window."""
    low = st.low
    occ: list[int] = []
    for lit in alts:
        occ.extend(st.occurrences(lit, start, end))
    if not occ:
        return []
    occ.sort()
    out: list[tuple[int, int]] = []
    for q in occ:
        lo = q
        for _ in range(bound + 1):
            lo = low.rfind(" ", start, lo)
            if lo < 0:
                break
        a = start if lo < 0 else lo + 1
        hi = q - 1
        for _ in range(bound + 1):
            hi = low.find(" ", hi + 1, end)
            if hi < 0:
                break
        b = end if hi < 0 else hi + 1
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


@dataclass(frozen=True, slots=True)
class PatternSet:
    """One pattern file: each branch compiled on its own (the `regex` module optimises a
    single pattern's literal prefix far better than a big alternation), then merged
    leftmost-first like an alternation in file order."""

    branches: tuple[Any, ...]
    ids: tuple[str, ...]
    labels: tuple[str, ...]
    requires: tuple[tuple[str, ...], ...]
    """Per branch: substrings of which one must occur in the text for the branch to run."""
    path: str
    factors: tuple[tuple[tuple[str, ...], ...], ...] = ()
    """Per branch: literal pre-checks derived from the pattern (`prefilter`): a region of
    the folded text lacking every string of one factor holds no match."""
    whole_factors: tuple[tuple[tuple[str, ...], ...], ...] = ()
    """The factors a whole-text scan checks: those its `require` does not already imply."""
    require_folds: tuple[tuple[str, ...], ...] = ()
    """Per branch: fold() of each `require` string."""
    require_roots: tuple[tuple[str, ...], ...] = ()
    """Per branch and `require` string: the shortest folded `require` string of the file
    inside its fold (absent from the folded text: the string is absent too)."""
    anchors: tuple[tuple[str, ...], ...] = ()
    """Per branch: folded strings one of which each match begins with (`prefilter.
    match_prefixes`), when they are rare enough that trying the pattern only where they
    occur beats scanning; else ()."""
    windows: tuple[tuple[int, tuple[str, ...]] | None, ...] = ()
    """Per branch: (whitespace bound, factor) when a whole-text scan may run only in the
    windows around that factor's occurrences (`prefilter.whitespace_bound`), else None."""
    prescan: PrescanView | None = None
    """The branches' Hyperscan automata: on a text with a `text_mode` they name the branches
    that may match in a region, in place of the literal pre-checks."""

    def _prescan(self, st: _TextState) -> PrescanView | None:
        return self.prescan if self.prescan is not None and st.mode else None

    def _require_ok(self, st: _TextState, i: int) -> bool:
        """Whether branch `i`'s `require` holds in the text (cached per text)."""
        cache = st.required.get(self.path)
        if cache is None:
            cache = st.required[self.path] = [None] * len(self.branches)
        ok = cache[i]
        if ok is None:
            ok = cache[i] = self._require_holds(st, i)
        return ok

    def _require_holds(self, st: _TextState, i: int) -> bool:
        req = self.requires[i]
        if not req:
            return True
        text = st.text
        roots = self.require_roots[i] if self.require_roots else None
        folds = self.require_folds[i] if self.require_folds else None
        indexed = st.indexed
        for k, r in enumerate(req):
            # A string whose folded root is not in the folded text is not in the text: one
            # look-up serves many `require` strings.
            if roots is not None and not st.has(roots[k]):
                continue
            f = folds[k] if folds is not None else fold(r)
            if f in indexed:
                # Where fold(r) occurs is known: r is in the text iff it is at one of those.
                if any(text.startswith(r, p) for p in st.positions.get(f, ())):
                    return True
                continue
            if r in text:
                return True
        return False

    def search(self, text: str) -> bool:
        """True when any branch matches somewhere in `text`."""
        st = _text_state(text)
        pre = self._prescan(st)
        checks = self.whole_factors if self.whole_factors and not st.special else None
        anchors = self.anchors if self.anchors and not st.special else None
        if pre is not None:
            checks = None
        for i in (pre.candidates(text, 0, len(text), st.mode) if pre is not None
                  else range(len(self.branches))):
            if not self._require_ok(st, i):
                continue
            if checks is not None and checks[i] and not _may_match_text(checks[i], st):
                continue
            if anchors is not None and anchors[i]:
                # Tried only where a match can begin: a word-list pattern (the ML-context
                # test) scanned whole cost ~140 us an abstract.
                if _anchored(self.branches[i], st, anchors[i], 0, len(text)):
                    return True
            elif self.branches[i].search(text):
                return True
        return False

    def finditer(self, text: str, overlapping: bool = False,
                 spans: list[tuple[int, int]] | None = None) -> list[tuple[str, str, Any]]:
        """(id, label, match) sorted by start; without `overlapping`, a later match that
        overlaps an earlier one is dropped (the earlier branch wins at equal starts).
        `spans` limits the scan to those (start, end) regions of `text`."""
        found: list[tuple[int, int, int, Any]] = []
        st = _text_state(text)
        low = st.low
        branches = self.branches
        pre = self._prescan(st)
        if spans is None:
            n = len(text)
            checks = self.whole_factors if self.whole_factors and not st.special else None
            windows = self.windows if self.windows and not st.special else None
            if pre is not None:
                checks = None
            for i in (pre.candidates(text, 0, n, st.mode) if pre is not None
                      else range(len(branches))):
                if not self._require_ok(st, i):
                    continue
                if checks is not None and checks[i] and not _may_match_text(checks[i], st):
                    continue
                rx = branches[i]
                spec = windows[i] if windows is not None else None
                if spec is None:
                    anchors = self.anchors[i] if self.anchors and not st.special else ()
                    matches = (_anchored(rx, st, anchors, 0, n) if anchors
                               else rx.finditer(text))
                    for m in matches:
                        found.append((m.start(), i, m.end(), m))
                    continue
                for a, b in _windows(st, spec[1], spec[0], 0, n):
                    for m in rx.finditer(text, a, b):
                        found.append((m.start(), i, m.end(), m))
        elif pre is not None:
            requires = self.requires
            all_anchors = self.anchors if self.anchors and not st.special else None
            for start, end in spans:
                sub = None
                for i in pre.candidates(text, start, end, st.mode):
                    if requires[i] and not self._require_ok(st, i):
                        continue
                    anchors = all_anchors[i] if all_anchors is not None else ()
                    if anchors:
                        if sub is None:
                            sub = low[start:end]
                        matches = _anchored_in(branches[i], text, sub, anchors, start, end)
                    else:
                        matches = branches[i].finditer(text, start, end)
                    for m in matches:
                        found.append((m.start(), i, m.end(), m))
        else:
            checks = self.factors if self.factors and not st.special else None
            regions = [(start, end, low[start:end]) for start, end in spans]
            requires = self.requires
            all_anchors = self.anchors if self.anchors and not st.special else None
            for i, rx in enumerate(branches):
                facs = checks[i] if checks is not None else ()
                anchors = all_anchors[i] if all_anchors is not None else ()
                for start, end, sub in regions:
                    if facs and not _may_match(facs, sub):
                        continue
                    # The whole-text `require` is looked at only once a region passes.
                    if requires[i] and not self._require_ok(st, i):
                        break
                    matches = (_anchored_in(rx, text, sub, anchors, start, end) if anchors
                               else rx.finditer(text, start, end))
                    for m in matches:
                        found.append((m.start(), i, m.end(), m))
        if not found:
            return []
        found.sort(key=lambda f: (f[0], f[1]))
        out: list[tuple[str, str, Any]] = []
        last = -1
        for start, i, end, m in found:
            if not overlapping and start < last:
                continue
            if end == start:
                continue
            out.append((self.ids[i], self.labels[i], m))
            last = max(last, end)
        return out


_MAX_CHECK = 24
"""A pre-check with more alternatives costs about as much as the scan it may save."""


def _useful(factors: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted((f for f in factors if len(f) <= _MAX_CHECK), key=len))


def _anchor_spec(rx: Any) -> tuple[str, ...]:
    found = match_prefixes(rx.pattern, rx.flags & regex.IGNORECASE)
    # One-letter prefixes ("a", "v") occur everywhere: trying there would cost more.
    if len(found) > 40 or any(len(a) < 2 and a.isalnum() for a in found):
        return ()
    return found


def _window_spec(rx: Any) -> tuple[int, tuple[str, ...]] | None:
    flags = rx.flags & regex.IGNORECASE
    bound = whitespace_bound(rx.pattern, flags)
    best = required_literals(rx.pattern, flags, max_factors=1)
    if bound is None or not best or len(best[0]) > _MAX_CHECK:
        return None
    return bound, best[0]


def _implied(factor: tuple[str, ...], require: tuple[str, ...]) -> bool:
    """True when every `require` string contains a string of `factor` (so a text passing
    `require` passes the factor too)."""
    return bool(require) and all(any(a in fold(r) for a in factor) for r in require)


_MACRO = regex.compile(r"<<([A-Za-z_][A-Za-z0-9_]*)>>")


def load_patterns(path: Path) -> PatternSet:
    """Compile one `patterns/*.jsonl` file; label DEF lines define <<MACROS>>. An optional
    `require` list names substrings one of which must be in the text for the line to run."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise GazetteerError(f"{path}: cannot read pattern file: {e}") from e
    macros: dict[str, str] = {}
    ids: list[str] = []
    labels: list[str] = []
    branches: list[Any] = []
    requires: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise GazetteerError(f"{where}: invalid JSON: {e}") from e
        if not isinstance(row, dict) or not all(
            isinstance(row.get(k), str) and row.get(k) for k in ("id", "label", "pattern")
        ):
            raise GazetteerError(f"{where}: need string fields id, label, pattern")
        require = row.get("require", [])
        if not isinstance(require, list) or not all(isinstance(r, str) and r for r in require):
            raise GazetteerError(f"{where}: `require` must be a list of non-empty strings")
        pid, label, pattern = row["id"], row["label"], row["pattern"]
        if pid in seen:
            raise GazetteerError(f"{where}: duplicate pattern id {pid!r}")
        seen.add(pid)

        def expand(m: Any, where: str = where) -> str:
            name = m.group(1)
            if name not in macros:
                raise GazetteerError(f"{where}: unknown macro <<{name}>>")
            return macros[name]

        expanded = _MACRO.sub(expand, pattern)
        try:
            compiled = regex.compile(expanded, regex.V1)
        except regex.error as e:
            raise GazetteerError(f"{where}: bad pattern {pid!r}: {e}") from e
        if label == "DEF":
            macros[pid] = expanded
            continue
        branches.append(compiled)
        ids.append(pid)
        labels.append(label)
        requires.append(tuple(require))
    if not branches:
        raise GazetteerError(f"{path}: no patterns")
    factors = tuple(_useful(required_literals(rx.pattern, rx.flags & regex.IGNORECASE))
                    for rx in branches)
    # A whole text nearly always has a short word ("the", "on"): such a factor is dropped.
    whole = tuple(tuple(f for f in fs if not _implied(f, req)
                        and not any(len(a) <= 3 and a.isalnum() for a in f))
                  for fs, req in zip(factors, requires, strict=True))
    windows = tuple(_window_spec(rx) for rx in branches)
    anchors = tuple(_anchor_spec(rx) for rx in branches)
    folds = sorted({fold(r) for req in requires for r in req}, key=len)
    roots = tuple(tuple(next(f for f in folds if f in fold(r)) for r in req) for req in requires)
    return PatternSet(tuple(branches), tuple(ids), tuple(labels), tuple(requires), str(path),
                      factors, whole, tuple(tuple(fold(r) for r in req) for req in requires),
                      roots, anchors, windows)


# ----------------------------------------------------------------------------- URL hosts


@dataclass(frozen=True, slots=True)
class HostRule:
    host: str
    path_prefix: str
    kind: str


def load_host_rules(path: Path) -> tuple[HostRule, ...]:
    """Parse `url_hosts.csv`; first matching row wins."""
    rules: list[HostRule] = []
    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as e:
        raise GazetteerError(f"{path}: cannot read host rules: {e}") from e
    with fh:
        seen: set[tuple[str, str]] = set()
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            host = (row.get("host") or "").strip().lower()
            prefix = (row.get("path_prefix") or "").strip()
            kind = (row.get("kind") or "").strip()
            if not host or kind not in ("code", "project", "other"):
                raise GazetteerError(f"{path}:{lineno}: need host and kind code/project/other")
            if (host, prefix) in seen:
                raise GazetteerError(f"{path}:{lineno}: duplicate rule {host}{prefix}")
            seen.add((host, prefix))
            rules.append(HostRule(host, prefix, kind))
    return tuple(rules)


# ----------------------------------------------------------------------------- cached access


PWC_DATASETS = "datasets_pwc.yaml"
"""Dataset names from Papers with Code rows (`make train`: pipeline/tools/build_pwc_datasets.py)."""


@cache
def datasets() -> DatasetGazetteer:
    extra = GAZETTEER_DIR / PWC_DATASETS
    return load_datasets(GAZETTEER_DIR / "datasets.yaml", *([extra] if extra.exists() else []))


@cache
def _parents() -> dict[str, str]:
    return {e.name: e.parent for e in datasets().entries if e.parent}


def parent_of(dataset: str) -> str | None:
    """The dataset `dataset` is a version or subset of (`DatasetEntry.parent`), or None."""
    return _parents().get(dataset)


@cache
def metrics() -> MetricTable:
    return load_metrics(METRICS_CSV)


SHARED_SCANS = ("cues", "metric_phrases", "models", "nonresults", "numbers",
                "relative_hints", "resolutions", "settings", "steps")
"""Pattern files that extract asks about the same regions (an abstract's sentences with
a digit): they share one Hyperscan automaton, so a sentence is scanned once for all."""


@cache
def _shared_patterns() -> dict[str, PatternSet]:
    sets = {name: load_patterns(PATTERN_DIR / f"{name}.jsonl") for name in SHARED_SCANS}
    views = compile_prescan(*(ps.branches for ps in sets.values()))
    if views is None:
        return sets
    return {name: replace(ps, prescan=view)
            for (name, ps), view in zip(sets.items(), views, strict=True)}


@cache
def patterns(name: str) -> PatternSet:
    if name in SHARED_SCANS:
        return _shared_patterns()[name]
    ps = load_patterns(PATTERN_DIR / f"{name}.jsonl")
    views = compile_prescan(ps.branches)
    return replace(ps, prescan=views[0]) if views else ps


@cache
def host_rules() -> tuple[HostRule, ...]:
    return load_host_rules(GAZETTEER_DIR / "url_hosts.csv")


def data_files() -> list[Path]:
    """Every data file extract reads (gazetteers, metric table, host rules, patterns)."""
    files = [GAZETTEER_DIR / n
             for n in ("datasets.yaml", PWC_DATASETS, "metrics.csv", "tasks.csv",
                       "dataset_metrics.csv", "url_hosts.csv")
             if (GAZETTEER_DIR / n).exists()]
    return files + sorted(PATTERN_DIR.glob("*.jsonl"))


def gazetteer_versions() -> dict[str, str]:
    """File name (relative to `gazetteers/`) -> sha256 of its bytes."""
    out: dict[str, str] = {}
    for path in data_files():
        rel = path.relative_to(GAZETTEER_DIR).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
