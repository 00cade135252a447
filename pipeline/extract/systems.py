"""Which system a result is about, and whether that system is someone else's.

- `system_of`: the name of the system a value in a sentence belongs to: the name right
  before it and a colon ("WeTok: 0.12 vs. FLUX-VAE: 0.18"), a known model family right
  after the value ("+4.0 pp on GPT-5"), else the nearest subject or possessive before the
  value in its part of the sentence ("IterNet achieves AUCs of ...", "DiffuMIN increased CTR
  by 1.52%", "the best model, Claude Opus 4.6, fully solves 55.4%", "our method (LeTracker)
  gets 14.9", "we introduce a STaged AttaCK (STACK) procedure that achieves 71%",
  "Huginn's HumanEval pass@1 from 22.56% to 31.71%").
  Patterns: `gazetteers/patterns/systems.jsonl`; a name must look like one (capitals
  inside, a digit, a hyphen: `tag.looks_like_name`) or start a known model family
  (`tag.MODEL_FAMILY`), and must not be a dataset or a metric.
- `evaluated_subject`: the value is said of systems the paper evaluates ("the best model
  reaches", "no open-weight model exceeds", "thirteen base models follow").
- `respective_systems`: a list of systems aligned with a respectively-list of values
  ("PP-YOLOE-R-l and PP-YOLOE-R-x achieve 78.14 and 78.28 mAP respectively").
- `title_system`: the system a title announces ("SliceGPT: Compress Large Language Models
  ..." -> SliceGPT), unless the title announces a benchmark.
- `third_party`: a known model family the paper did not build (not named in its title):
  its numbers are baselines of the paper, not the paper's own results.
"""

from __future__ import annotations

from typing import Any

import regex

from pipeline.extract import resources
from pipeline.extract.resources import fold
from pipeline.extract.tag import (
    ARCHITECTURE,
    LIST_SPLIT,
    MODEL_FAMILY,
    Tag,
    looks_like_name,
    scan,
    title_benchmark,
)

_HEAD_SPLIT = regex.compile(r"[\s-]")
_TITLE_SYSTEM = regex.compile(r"^\s*(?P<name>[A-Za-z][\w.+-]*(?:\s[\w.+-]+){0,2})\s?:\s")
# not in a name: "Result The method reduced ..." (a heading run into its sentence)
_PRONOUN = frozenset({"it", "this", "that", "which", "they", "we", "ours", "our", "its", "the",
                      "a", "an", "these", "those", "their"})
# A new subject starts after these: "GPT-4o reaches 62%, while no open model exceeds 42%".
_CONTRAST_WORD = r"\b(?:while|whereas|but|although|though)\b"
_CONTRAST = regex.compile(rf";|{_CONTRAST_WORD}")
# The subject goes on across a participle: "X can remove 25% ... while maintaining 99%".
_NEW_SUBJECT = regex.compile(rf";|{_CONTRAST_WORD}(?!\s\w+ing\b)")
_CLASS_OF = regex.compile(
    r"(?i:\b(?:various|many|several|all|most|existing|other|these|those|such|different|"
    r"popular|standard|conventional|typical|modern|previous|prior)\s)[A-Z][\w-]*[A-Z]s$")
"""A class of systems, not one: "various GCNs increase" (but "XNMs achieve": the paper's)."""


_SCORE_NOUN = regex.compile(r"\s(?:scores?|rates?)\s(?:of|=|:)")
_NOT_SYSTEMS = frozenset({"sota", "llm", "llms", "ai", "gpu", "gpus", "cpu", "api", "apis",
                          "nlp", "ml", "rl", "cv", "iou", "auc"})


def _name_ok(text: str, name: str, start: int, end: int, avoid: list[Tag],
             own: str | None) -> bool:
    if any(fold(w) in _PRONOUN for w in name.split()) or fold(name) in _NOT_SYSTEMS or \
            _CLASS_OF.search(text, max(0, start - 20), end) is not None:
        return False
    if fold(name) in resources.metrics().alias_to_metric:
        return False  # "System Usability Scale" is what is measured, not who
    if any(t.start < end and start < t.end for t in avoid):
        return False
    # the title's own system may be a plain word ("Refold: ..."; "Refold achieves 0.63")
    return looks_like_name(name) or MODEL_FAMILY.match(name) is not None or (
        own is not None and fold(name) == fold(own))


Found = list[tuple[str, str, Any]]


def sentence_matches(text: str, sent_start: int, sent_end: int) -> Found:
    """The matches of `patterns/systems.jsonl` in text[sent_start:sent_end] (the sentence up
    to just after its last value), looked for once per sentence."""
    return scan("systems", text, [(sent_start, sent_end)])


def system_of(text: str, found: Found, sent_start: int, value_start: int,
              avoid: list[Tag], own: str | None = None) -> str | None:
    """The system the value at `value_start` is about, or None; `found`: the sentence's
    `sentence_matches`; `avoid`: its dataset and metric tags (a name overlapping one is not
    a system); `own`: the title's system, a name even when it is a plain word."""
    start = max((c.end() for c in _NEW_SUBJECT.finditer(text, sent_start, value_start)),
                default=sent_start)
    best: tuple[int, int, str] | None = None  # (rank, position, name): nearest before wins
    for _pid, label, m in found:
        if label == "SYSTEM:evaluated":
            continue
        s, e = m.span("name")
        name = text[s:e]
        # "Huginn's HumanEval pass@1": any capitalised owner that is not a dataset or metric
        owner = label == "SYSTEM:possessive" and name[:1].isupper() and not any(
            t.start < e and s < t.end for t in avoid)
        if not owner and not _name_ok(text, name, s, e, avoid, own):
            continue
        if label == "SYSTEM:colon":
            if m.end() != value_start:
                continue
            return name  # "(WeTok: 0.12 vs. FLUX-VAE: 0.18)": the name the value follows
        if label == "SYSTEM:paren":
            if m.end() == value_start and MODEL_FAMILY.match(name) is not None:
                return name  # "followed by GPT-5 (55.9%)": a known model, its value in brackets
            continue
        if label in ("SYSTEM:subject", "SYSTEM:possessive"):
            if m.end() > value_start or s < start or _SCORE_NOUN.match(text, e):
                continue  # "a System Usability Scale score of 81": a metric, not a subject
            key = (1, s, name)
        else:
            if MODEL_FAMILY.match(name) is None or s < value_start or s - value_start > 40:
                continue
            # "lifts accuracy by +4.0 pp on GPT-5": measured on that model, first choice
            key = (2, -s, name)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best is not None else None


def evaluated_subject(text: str, found: Found, sent_start: int, value_start: int) -> bool:
    """The value's part of the sentence speaks of systems the paper evaluates, not of its own
    ("the best model reaches", "no open-weight model exceeds", "thirteen base models follow")."""
    start = max((c.end() for c in _CONTRAST.finditer(text, sent_start, value_start)),
                default=sent_start)
    return any(label == "SYSTEM:evaluated" and start <= m.start() and m.end() <= value_start
               for _pid, label, m in found)


def apposed(text: str, found: Found, name: str) -> bool:
    """`name` stands in apposition to systems the paper evaluates: "the best model (ViLT)
    achieves", "the best model, Claude Opus 4.6, solves"."""
    return any(label == "SYSTEM:evaluated" and regex.match(
        r"\s?[(,]\s?" + regex.escape(name), text, pos=m.end()) is not None
        for _pid, label, m in found)


# "called phi-3-small and phi-3-medium, ... (e.g., respectively 75% and 78% on MMLU)": a list
# of system names (each with a digit or a capital inside) before a respectively-list of values
_SYSTEM_ITEM = r"(?:[A-Za-z][\w.+-]*\d[\w.+-]*|[A-Z][\w.+-]*[A-Z0-9][\w.+-]*)"
_SYSTEM_LIST = regex.compile(
    rf"(?<![\w.-]){_SYSTEM_ITEM}(?:,\s{_SYSTEM_ITEM})*,?\s(?:and|or)\s{_SYSTEM_ITEM}(?![\w-])")
_LIST_SUBJECT = regex.compile(
    r"\s(?:models?\s|variants?\s)?(?:(?:also|further|respectively|then|still|even)\s)?"
    r"(?:achiev|reach|obtain|attain|scor|get|got|yield|surpass|outperform|improv|deliver|"
    r"record|hit)\w*")
_LIST_NAMED = regex.compile(r"(?i:\b(?:called|named|termed|dubbed|namely))\s$")
"""The systems of the list are what reaches the values: its subject ("PP-YOLOE-R-l and
PP-YOLOE-R-x achieve 78.14 and 78.28 mAP respectively"), or the names a sentence gives its
own models ("called phi-3-small and phi-3-medium"); not "compared with A and B", not
"improves A and B by 6.9 and 4.4"."""


def respective_systems(text: str, sent_start: int, values_start: int, n: int,
                       avoid: list[Tag]) -> list[str]:
    """The `n` system names listed last before a respectively-list of `n` values (which
    starts at `values_start`), one per value, or []: none of them overlaps `avoid` (the
    sentence's datasets and metrics)."""
    found = [m for m in _SYSTEM_LIST.finditer(text, sent_start, values_start)
             if not any(t.start < m.end() and m.start() < t.end for t in avoid)
             and (_LIST_SUBJECT.match(text, m.end())
                  or _LIST_NAMED.search(text, sent_start, m.start()))]
    if not found:
        return []
    names = LIST_SPLIT.split(found[-1].group())
    return names if len(names) == n and all(map(looks_like_name, names)) else []


def title_system(title: str) -> str | None:
    """The system a title announces before its colon, unless it announces a benchmark."""
    m = _TITLE_SYSTEM.match(title or "")
    if m is None or title_benchmark(title) is not None:
        return None
    name = m.group("name")
    return name if looks_like_name(name) or MODEL_FAMILY.match(name) else None


def third_party(name: str, title: str) -> bool:
    """A known model family ("GPT-4o", "Llama-3.1-8B") whose name the title does not hold."""
    if MODEL_FAMILY.match(name) is None or ARCHITECTURE.match(name) is not None:
        return False
    head = _HEAD_SPLIT.split(name, maxsplit=1)[0]
    return fold(head) not in fold(title or "")
