"""Tag spans of an abstract from the data files: datasets, metrics, numbers, resolutions,
step counts, settings, comparison cues and non-result contexts.

Tagging is generic and position-based; `claims.py` turns tags into results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex

from pipeline.extract import resources
from pipeline.extract.resources import fold

# Side lengths a numeric dataset-name suffix may state ("ImageNet-64", "CelebA-HQ-128").
_NAME_RESOLUTIONS = frozenset(
    {16, 28, 32, 48, 64, 96, 128, 160, 192, 224, 256, 288, 320, 384, 448, 512, 576, 640,
     768, 896, 1024, 1536, 2048, 4096}
)
_SUFFIX = regex.compile(
    r"(?:-|\s)?(?P<a>\d{2,4})(?![\w%×]|\.\d|\s?[×xX]\s?\d|\s(?:classes|categories))"
)
_LIST_NEXT = regex.compile(
    r"(?:\s?,\s?(?:and\s|or\s)?|\s?/\s?|\s?&\s?|\s(?:and|or)\s)(?P<tok>-?[A-Za-z0-9][A-Za-z0-9.]*)"
)
# First words that make a capitalised "X dataset" phrase generic, not a name.
_NOT_NAMES = frozenset(
    """this that these those our their its the a an new novel public standard synthetic
    real large small several multiple two three four five six many each every same proposed
    benchmark dataset existing popular challenging diverse various different other both all
    such most first second open extensive comprehensive unified widely human english chinese
    we in on for with from using table figure section appendix experiments results""".split()
)
_RES_STOP = regex.compile(
    r"\s?(?:-\s?)?(?:patch|patches|kernel|kernels|conv|convolution|grid|grids|tokens?|latents?|"
    r"matrix|matrices|blocks?|windows?|features?|feature maps?|array|lattice|cells?|sites|"
    r"supercell|spins?|qubits?|chessboard|board|tiles?)\b"
)
_WORD_NUMBERS = {
    "single": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8,
    "ten": 10,
}


@dataclass(frozen=True, slots=True)
class Tag:
    start: int
    end: int
    kind: str
    """DATASET, METRIC, NUM, RES, STEPS, SETTING, CUE, SKIP, ASSIGN, MODEL_LIST, URL, ..."""
    label: str = ""
    """Sub-kind: the unit of a NUM ("%", "x", "pp", "plain", "size", "measure"), the cue
    name, the setting value, ..."""
    value: Any = None
    """NUM: float; RES: pixels; STEPS: int or None; DATASET: canonical name; METRIC: name."""
    extra: Any = None
    """DATASET: (in_gazetteer, resolution pixels or None); NUM: value span (start, end)."""


@dataclass(slots=True)
class Tags:
    datasets: list[Tag] = field(default_factory=list)
    metrics: list[Tag] = field(default_factory=list)
    numbers: list[Tag] = field(default_factory=list)
    resolutions: list[Tag] = field(default_factory=list)
    steps: list[Tag] = field(default_factory=list)
    settings: list[Tag] = field(default_factory=list)
    cues: list[Tag] = field(default_factory=list)
    skips: list[Tag] = field(default_factory=list)
    models: list[Tag] = field(default_factory=list)


def _wordchar(c: str) -> bool:
    return c.isalnum() or c == "_"


def _greedy(cands: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """Leftmost-longest non-overlapping selection."""
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out: list[tuple[int, int, Any]] = []
    last = -1
    for c in cands:
        if c[0] >= last:
            out.append(c)
            last = c[1]
    return out


# ----------------------------------------------------------------------------- datasets


def tag_datasets(text: str) -> list[Tag]:
    """Gazetteer datasets (with list expansion and name-encoded resolutions), then
    datasets introduced by the text ("the FooBar dataset") that the gazetteer lacks."""
    g = resources.datasets()
    low = fold(text)
    n = len(text)
    cands: list[tuple[int, int, Any]] = []
    for end_idx, vals in g.automaton.iter(low):
        end = end_idx + 1
        for idx, surface in vals:
            start = end - len(surface)
            entry = g.entries[idx]
            if entry.case == "exact" and text[start:end] != surface:
                continue
            if start > 0 and _wordchar(text[start - 1]):
                continue
            if end < n and _wordchar(text[end]):
                if not (entry.suffix == "resolution" and text[end].isdigit()):
                    continue
            cands.append((start, end, idx))
    tags: list[Tag] = []
    taken_until = -1
    for start, end, idx in _greedy(cands):
        if start < taken_until:
            continue
        entry = g.entries[idx]
        res: int | None = None
        if entry.suffix == "resolution":
            m = _SUFFIX.match(text, end)
            if m and int(m.group("a")) in _NAME_RESOLUTIONS:
                res = int(m.group("a"))
                end = m.end()
        tags.append(Tag(start, end, "DATASET", "gazetteer", entry.name, (True, res)))
        taken_until = end
        # List forms of a family: "CIFAR-10, -20, -100", "LSUN Church & Bedroom".
        for prefix, joiner in g.families:
            if not fold(entry.name).startswith(fold(prefix)):
                continue
            pos = end
            while True:
                m = _LIST_NEXT.match(text, pos)
                if not m:
                    break
                tok = m.group("tok").rstrip(".")
                bare = tok.lstrip("-")
                hit = None
                for cand in (prefix + joiner + bare, prefix + " " + bare, prefix + bare):
                    if fold(cand) in g.by_key:
                        hit = g.entries[g.by_key[fold(cand)]]
                        break
                if hit is None:
                    break
                t_start = m.start("tok")
                t_end = t_start + len(tok)
                tags.append(Tag(t_start, t_end, "DATASET", "family", hit.name, (True, None)))
                pos = t_end
                taken_until = max(taken_until, t_end)
            break
    tags.extend(_intro_datasets(text, tags))
    tags.sort(key=lambda t: t.start)
    return tags


def _looks_like_name(name: str) -> bool:
    first = name.split()[0].lower()
    if first in _NOT_NAMES:
        return False
    core = name.replace(" ", "")
    upper = sum(1 for c in core if c.isupper())
    return upper >= 2 or any(c.isdigit() for c in core) or "-" in core[1:] or "." in core[1:]


def _intro_datasets(text: str, known: list[Tag]) -> list[Tag]:
    g = resources.datasets()
    out: list[Tag] = []
    for _pid, _label, m in scan("dataset_intro", text):
        s, e = m.span("name")
        name = text[s:e].rstrip(".'")
        if ". " in name:
            continue
        e = s + len(name)
        if not name or any(t.start < e and s < t.end for t in known + out):
            continue
        if fold(name) in g.by_key or not _looks_like_name(name):
            continue
        out.append(Tag(s, e, "DATASET", "intro", name, (False, None)))
    return out


# ----------------------------------------------------------------------------- metrics


def tag_metrics(text: str) -> list[Tag]:
    """Metric names from the metric table (case rule per entry, token boundaries)."""
    mt = resources.metrics()
    low = fold(text)
    n = len(text)
    cands: list[tuple[int, int, Any]] = []
    for end_idx, vals in mt.automaton.iter(low):
        end = end_idx + 1
        for metric, surface, exact in vals:
            start = end - len(surface)
            if exact and text[start:end] != surface:
                continue
            if start > 0 and _wordchar(text[start - 1]):
                continue
            if end < n and _wordchar(text[end]):
                continue
            cands.append((start, end, metric))
    return [Tag(s, e, "METRIC", "", m) for s, e, m in _greedy(cands)]


# ----------------------------------------------------------------------------- patterns


def scan(name: str, text: str,
         spans: list[tuple[int, int]] | None = None) -> list[tuple[str, str, Any]]:
    """(id, label, match) for every match of pattern file `name` in `text` (or its spans)."""
    return resources.patterns(name).finditer(text, spans=spans)


def _to_float(s: str) -> float | None:
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return None


def tag_numbers(text: str, spans: list[tuple[int, int]] | None = None) -> list[Tag]:
    out: list[Tag] = []
    for _pid, label, m in scan("numbers", text, spans):
        value = _to_float(m.group("n"))
        if value is None:
            continue
        sign = m.group("sign") if "sign" in m.groupdict() else None
        if sign in ("-", "−"):
            value = -value
        unit = label.split(":", 1)[1]
        out.append(Tag(m.start(), m.end(), "NUM", unit, value, m.span("n")))
    return out


def tag_resolutions(text: str, spans: list[tuple[int, int]] | None = None) -> list[Tag]:
    out: list[Tag] = []
    for pid, label, m in scan("resolutions", text, spans):
        a = int(m.group("a"))
        b = int(m.group("b")) if m.groupdict().get("b") else a
        if label == "RES_K":
            px = a * 1024
        else:
            px = max(a, b)
        if px < 16 or px > 16384:
            continue
        if label == "RES_BARE" and (px < 64 or px % 32):
            continue
        if pid == "res_times" and _RES_STOP.match(text, m.end()):
            continue
        s, e = m.span("a") if label == "RES_BARE" else m.span()
        if pid == "res_times":
            # A factor times a size ("1.5x 256") is not a resolution; both parts must be sizes.
            if min(a, b) < 16 or max(a, b) > 8 * min(a, b):
                continue
        out.append(Tag(s, e, "RES", pid, px))
    return out


def tag_steps(text: str, spans: list[tuple[int, int]] | None = None) -> list[Tag]:
    out: list[Tag] = []
    for _pid, label, m in scan("steps", text, spans):
        if label == "STEPS_RANGE":
            out.append(Tag(m.start(), m.end(), "STEPS", "range", None))
            continue
        d = m.groupdict()
        if d.get("n"):
            val = int(d["n"])
        else:
            val = _WORD_NUMBERS.get((d.get("w") or "").lower(), 0)
        if val <= 0 or val > 100000:
            continue
        out.append(Tag(m.start(), m.end(), "STEPS", "steps", val))
    return out


def tag_labelled(name: str, kind: str, text: str,
                 spans: list[tuple[int, int]] | None = None) -> list[Tag]:
    """Tags whose label is `KIND:value` (settings, cues) or a plain label (skips)."""
    out: list[Tag] = []
    for pid, label, m in scan(name, text, spans):
        value: Any = label.split(":", 1)[1] if ":" in label else label
        if label == "SETTING:k-shot":
            value = f"{m.group('n')}-shot"
        extra = m if label in ("ASSIGN", "MODEL_LIST") else pid
        out.append(Tag(m.start(), m.end(), kind, label, value, extra))
    return out


_DIGIT = regex.compile(r"\d")
# A sentence can only yield a result with a metric name or a relative unit in it.
_RELATIVE_HINT = regex.compile(r"[%×]|\d\s?[xX]\b|\b(?:times|fold|points?|pp|percent)\b")


def tag_text(text: str, sentences: list[tuple[int, int]] | None = None) -> Tags:
    """Every tag of one abstract. Resolutions are looked for in sentences with a digit;
    numbers, steps, cues and settings only where a claim is possible (a digit and a metric
    name or a relative unit), which skips most sentences of non-ML abstracts."""
    tags = Tags()
    tags.datasets = tag_datasets(text)
    tags.metrics = tag_metrics(text)
    if sentences is None:
        sentences = [(0, len(text))]
    spans = [(s, e) for s, e in sentences if _DIGIT.search(text, s, e)]
    if not spans:
        return tags
    tags.resolutions = tag_resolutions(text, spans)
    claim_spans = [(s, e) for s, e in spans
                   if any(s <= m.start < e for m in tags.metrics)
                   or _RELATIVE_HINT.search(text, s, e)]
    if claim_spans:
        tags.numbers = tag_numbers(text, claim_spans)
        tags.steps = tag_steps(text, claim_spans)
        tags.skips = tag_labelled("nonresults", "SKIP", text, claim_spans)
        tags.models = tag_labelled("models", "MODEL_LIST", text, claim_spans)
        tags.settings = tag_labelled("settings", "SETTING", text, claim_spans)
        tags.cues = tag_labelled("cues", "CUE", text, claim_spans)
    return tags
