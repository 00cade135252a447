"""Build result claims from the tags of one abstract.

A small set of named rules over the tags of a sentence (each tested with our own sentences
in tests/test_extract_claims.py):

- `candidate_values`: numbers that can be results (not resolutions, step counts, sizes,
  hyper-parameters, citations, years, counts of things, shares "x% of" unless solved: "solves
  55.4% of the tasks" is a success rate).
- `assign_metric`: metric named right after the value ("13% improvement in ROC AUC",
  "500X fewer environment interactions"), else the nearest metric before it in the sentence
  ("FID of 16.47 vs 34.36"), else the metric of the previous sentence when the sentence
  refers back ("These scores ..."), else `improvement`/`speedup` for a %/x/pp gain.
- `assign_kind`: x -> relative (count when "fewer/less ..."), pp -> relative, % -> relative
  next to a gain cue else absolute, plain -> absolute.
- `assign_role`: "from A to B" (A baseline), "A vs B" / "compared to B" (B baseline),
  "previous state of the art of A" (prior_sota), else proposed.
- `assign_dataset`: slash lists aligned with slash dataset lists ("1.30/0.97 on
  CIFAR-10/ImageNet-64"), "respectively" lists aligned with dataset or model lists, "on D"
  right after the value, else the nearest dataset before it.
- qualifiers: resolution (a resolution right after the value, or attached to its dataset),
  steps, setting (nearest before, else first in the sentence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

import regex

from pipeline.extract import recognise, resources, systems
from pipeline.extract.paper_task import paper_task
from pipeline.extract.resources import fold
from pipeline.extract.segment import Span, find_digit, sentence_before, split_clauses
from pipeline.extract.tag import (
    COLON_VALUE,
    LATEX_MARK,
    MODEL_FAMILY,
    Tag,
    Tags,
    looks_like_name,
    name_tag,
    sentence_tags,
)
from pipeline.extract.tasks import sure_metric_task, task_of, usual_metric
from pipeline.records import Result

_FILLER_AFTER = regex.compile(
    r"\s?(?:(?:relative|absolute|average|overall|mean|higher|lower|better|worse|"
    r"improvements?|gains?|reductions?|increases?|decreases?|boosts?|lifts?|drops?|fewer|less|"
    r"more|faster|in|terms|of|on|the|for|points?|pp|lower|smaller|speedup|increase|performance|"
    r"relative improvement|absolute improvement)\s?)*",
)
_SEPARATOR = regex.compile(r"\s?(?:,\s?(?:and\s|or\s)?|/|\s(?:and|or|&)\s?)\s?")
_PAIR = regex.compile(
    r"\s?(?:,\s?(?:and\s|or\s)?|/|\s(?:and|or|&|vs\.?|versus|to)\s|\s?\(\s?|-|–|--)\s?"
)
# The two ends of a range ("22.7-64.5%", "29.2% to 46.4%").
_RANGE_SEP = regex.compile(r"\s?(?:-|–|--|~|to)\s?")
# A range is a stated outcome (two results) when it is a change ("by 22-64%", "22-64% lower",
# "29.2% to 46.4% gains") or the value of a named metric ("errors of 4.7-6.2 points");
# otherwise it is a setting ("5% to 15% of weights", "2-6 steps") and not a result.
_RANGE_BY_BEFORE = regex.compile(
    r"\bby\s(?:up to\s|about\s|around\s|roughly\s|over\s|nearly\s|approximately\s)?$"
)
# "solves 55.4% of the tasks", "resolves 12% of issues": the success rate of a system.
_SOLVED_BEFORE = regex.compile(
    r"\b(?:solv|resolv|complet|pass|accomplish|succeed)(?:es|s|ed|ing)?\s(?:in\s|on\s)?"
    r"(?:only\s|just\s|about\s|around\s|nearly\s|over\s|up to\s|fully\s)?$")
_SOLVED_OF = regex.compile(
    r"(?:the\s|all\s)?(?:[\w-]+\s){0,2}?(?:tasks|problems|issues|instances|episodes|"
    r"challenges|puzzles|test cases)\b")
# "preserving 96.7% of the original model's performance": the share of a reference's
# performance that a cheaper model keeps (pruning, quantisation, distillation, token cuts).
_ABOUT = (r"only\s|about\s|around\s|roughly\s|nearly\s|over\s|up to\s|more than\s|"
          r"approximately\s|at least\s")
"""Words of approximation before a share ("retaining over 95% of", "accepted about 80% of")."""
_RETAINED_BEFORE = regex.compile(
    r"\b(?i:preserv|retain|maintain|keep|recover)(?:es|s|ed|ing|e)?\s" + rf"(?:{_ABOUT})?$")
_RETAINED_OF = regex.compile(
    r"(?:the\s|its\s|their\s)?(?:[\w'’-]+\s){0,3}?(?:performance|accuracy)\b")
# "clinicians accepted 96.5% of extractions", "capable of detecting 90% of the attacks": the
# share of items a judge accepts or a detector catches.
_ACCEPTED_BEFORE = regex.compile(r"\baccept(?:s|ed|ing)?\s" + rf"(?:just\s|{_ABOUT})?$")
_DETECTED_BEFORE = regex.compile(
    r"\b(?:detect(?:s|ed|ing)?|catch(?:es|ing)?|caught)\s" + rf"(?:just\s|{_ABOUT})?$")
_ITEMS_OF = regex.compile(r"(?:the\s|all\s)?[a-z][\w-]*")
_SHARE_RESULTS = ((_SOLVED_BEFORE, _SOLVED_OF, "success rate"),
                  (_RETAINED_BEFORE, _RETAINED_OF, "performance retained"),
                  (_ACCEPTED_BEFORE, _ITEMS_OF, "acceptance rate"),
                  (_DETECTED_BEFORE, _ITEMS_OF, "detection rate"))
"""The "N% of ..." shares that are results: (words before the share, words after its "of",
the metric it is a value of)."""
_TO_SEP = regex.compile(r"\sto\s")
# "achieves 2-3x speed-ups", "reaches 80-90% top-5 accuracy": a range a system reaches.
_RANGE_REACHED_BEFORE = regex.compile(
    r"\b(?:achiev|reach|obtain|attain|deliver)(?:es|s|ed|ing|e)?\s(?:only\s|about\s|around\s|"
    r"roughly\s|up to\s|over\s|nearly\s|approximately\s)?$")
_RANGE_UNIT_AFTER = regex.compile(r"\s?(?P<w>[A-Za-z]+)\b")
_RANGE_OF_BEFORE = regex.compile(r"(?:\bof|:|=|\bat)\s(?:only\s|about\s|around\s|roughly\s)?$")
_RANGE_GAIN_AFTER = regex.compile(
    r"\s?(?:times\s|fold\s)?(?:relative\s|absolute\s|average\s|end-to-end\s|overall\s)?"
    r"(?:gains?|improvements?|higher|lower|better|"
    r"fewer|less|faster|cheaper|smaller|reductions?|speed-?ups?|increases?|decreases?|drops?|"
    r"savings?|boosts?)\b"
)
# Before a value: a verb of change somewhere earlier in the sentence makes "by 18.6%" a gain.
_BY_RIGHT_BEFORE = regex.compile(
    r"\bby\s(?:an\saverage\sof\s|a\s(?:wide\s|large\s)?margin\sof\s)?"
    r"(?:up to\s|about\s|around\s|roughly\s|over\s|nearly\s|approximately\s|"
    r"more than\s|almost\s)?$"
)
_CHANGE_VERB = regex.compile(
    r"(?i:\b(?:improv|increas|boost|rais|lift|enhanc|outperform|surpass|exceed|beat|reduc|"
    r"decreas|lower|cut|shrink|accelerat|speed|sav)\w*)"
)
# "0.1 higher CW-SSIM", "9 pp (percentage point) higher HTML match": the metric follows.
_COMPARATIVE_GAP = regex.compile(
    r"\s?(?:pp\s|points?\s|pts\s)?(?:\([^()]{0,30}\)\s)?(?:higher|lower|better|greater|more)\s"
)
_IN_GAP = regex.compile(r"\s?(?:out of \d+(?:\.\d+)?\s)?in\s")  # "3.4 out of 5 in fluency"
_PHRASE_WORD = (
    r"(?!(?:and|or|with|than|the|by|to|for|while|but|at|as|from|over|under|per|its|their|on|"
    r"in|of|across|compared|versus|vs|which|that|when|into|via|using|is|are|was|were)\s)"
    r"(?:[a-z][a-z-]{1,15}\s|\d[A-Z]\s|[A-Z][a-z]+-[a-z][a-z-]{1,12}\s)"  # "Image-level"
)
_ONE_MODIFIER = regex.compile(rf"\s?{_PHRASE_WORD}")
# After an article, the value opens a noun phrase that ends in its metric: "a 67% real-world
# grasping success rate", "a 93% tool synthesis success rate".
_ARTICLE_BEFORE = regex.compile(r"\b(?i:an?)\s$")
_NOUN_PHRASE_GAP = regex.compile(rf"\s?(?:{_PHRASE_WORD}){{1,3}}")
# "5.50% H@1 improvement", "4.20 % MRR gain": the metric named after the value, then a change.
_GAIN_NOUN = regex.compile(r"\s?(?:improvements?|gains?|increases?|reductions?|boosts?|lifts?)\b")
# "2.7x to 9.5x smaller": a size or cost factor, never a value of a quality metric named before.
_GAINS_RANGING = regex.compile(
    r"(?i:improvements?|gains?|boosts?|increases?|reductions?)\s(?:ranging|range|varying|"
    r"vary)\sfrom\s(?:about\s|around\s)?(?:[+−-]?\d+(?:\.\d+)?\s?%\sto\s)?$")
"""Gains stated as a range: "accuracy improvements ranging from 10.3% to 35.8%"."""
_PLAIN_GAIN = regex.compile(r"\s(?:absolute\s|average\s|overall\s)?(?:improvement|gain)s?\b")
_SIZE_FACTOR_AFTER = regex.compile(r"\s?(?:smaller|larger|bigger|cheaper|lighter)\b")
_AGGREGATE = regex.compile(r"(?i:\b(?:average|mean|avg|overall|aggregate)\b)")
# "a depth error of", "Target Registration Error (TRE) of": what leads from a metric to its value
_METRIC_OF_BEFORE = regex.compile(
    r"\)?\s?(?:of|:|=|at|is|was|reaches|reached)\s(?:only\s|about\s)?$")
_COMPARATIVE_NAMED = regex.compile(
    r"\s?(?:pp\s|points?\s)?(?:\(.{0,25}?\)\s)?(?:higher|lower|better|more|greater)\s[A-Z]"
)
_NEXT_PAIR = regex.compile(
    r"\s?(?::|=)?\s?[+−-]?\d+(?:\.\d+)?\s?%?(?:,\s?(?:and\s)?|\s(?:and|&)\s)"
    r"(?P<name>[A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)\s?(?::|=)?\s?")
"""A list of metric-value pairs whose next name the table lacks ("FID 3.49 and KDD 0.319")."""
_NOUN_BY = regex.compile(r",\s(?:and\s)?(?:the\s)?[\w-]+(?:\s[\w-]+)?\sby\s(?:up to\s|about\s)?$")
_DIGIT = regex.compile(r"\d")
_WORD_AFTER = regex.compile(r"\s(?P<w>[a-zµμ][\w/-]*)")
# Words that may follow a result number; any other lower-case word after a plain number
# makes it a measurement or a count ("0.1 microrad", "50 lines"), not a metric value.
_ALLOWED_AFTER = frozenset(
    """on in at and or with vs vs. versus for than to from over compared when while using
    respectively points point higher lower better worse across after of which that is are
    was were the a an by as but whereas without per under within among against relative
    absolute average overall mean improvement improvements gain gains reduction increase
    lower surpassing outperforming achieving setting settings score scores beats beat
    outperforms surpasses exceeds sets marks establishes yields represents achieves matches
    improving reducing setting making leading becoming demonstrating showing matching
    closing despite only alone even both again averaged total all among here there
    compared respectively surpassing exceeding rivaling remains stays""".split()
)
_ACRONYM_AFTER = regex.compile(r"\s(?P<w>[A-Z][A-Za-z]*[A-Z][A-Za-z]*)(?![\w@-])")
_PLURAL_COUNT = regex.compile(r"\s(?P<w>[a-z][a-z-]*[a-z]s)\b")
_SLASH = regex.compile(r"\s?/\s?")
_LIST_GAP = regex.compile(r"\s?(?:,\s?(?:and\s|or\s)?|\s(?:and|or|&)\s)\s?")
_ON_BEFORE_DATASET = regex.compile(
    r"[^,;]{0,45}?\b(?:on|in|for|across|over|at|using)\s(?:the\s|both\s|all\s)?(?:[\w-]+\s){0,2}"
    r"(?:benchmarks?\s|datasets?\s|tasks?\s|suites?\s)?$"
)
# "78.6 on COCO test-dev", "94.4% for programming on HumanEval", "82.7% (mIoU) on the
# Cityscapes test set": a number stated on a dataset right after it; "USMLE: 60.2%" before it.
_ON_DATASET_AFTER = regex.compile(
    r"\s?(?:\([^()]{0,20}\)\s)?(?:(?:for|in)\s[\w-]+(?:\s[\w-]+)?\s)?(?:on|in|at|over)\s"
    r"(?:the\s)?")
_CONDITION_BEFORE = regex.compile(r"\s?[^,;]{0,25}?\s(?:at|with)\s(?:only\s|about\s)?")
"""Between a value and a second one stated as its condition ("77.4 mIoU at 102 FPS")."""
_ON_SOMEWHERE = regex.compile(r"\s(?:on|in|across|over|for)\s")
_DATASET_BEFORE_VALUE = regex.compile(r"\s?(?::|=|\()\s?")
_DATASET_SCORE_BEFORE = regex.compile(r"\sscores?\s(?:of|to|at)\s(?:about\s|over\s)?")
# "achieves 38.3%, surpassing ...", "improved to 94.1%": a percentage stated as a level
# reached, not a change, even with a comparison in the sentence.
_LEVEL_BEFORE = regex.compile(
    r"(?i:\b(?:achiev\w*|reach\w*|obtain\w*|attain\w*|scor(?:e|es|ed|ing)|exceed\w*|surpass\w*"
    r"|(?<!\bup\s)to))\s"
    r"(?:only\s|about\s|around\s|nearly\s|over\s|roughly\s)?$")
# A level, not a change, though a gain word is near: "... of 85.3%" after a noun that is no
# change ("a new record of", not "an improvement of"). (A value alone in brackets is either:
# "competitors on DAVIS (84.9%)" is a level, "outperforms ... on CIFAR-100 (17%)" a gain.)
_LEVEL_OF_BEFORE = regex.compile(
    r"\b(?!(?:improvement|gain|increase|boost|reduction|decrease|drop|margin|advantage|"
    r"lead|uplift|lift|decline|degradation|rise|jump)s?\s)[a-z][a-z-]+\sof\s"
    r"(?:only\s|about\s|around\s|nearly\s|over\s|roughly\s|up to\s)?$")
_COUNT_AFTER = regex.compile(r"\s?(?:fewer|less|smaller|more|larger)\b")
_BY_BEFORE = regex.compile(
    r"(?:\bby|\bof|\+)\s?(?:up to\s|about\s|around\s|roughly\s|over\s|nearly\s|"
    r"approximately\s|almost\s)?$"
)
_RES_AFTER = regex.compile(r"\s?(?:on|at|for|with)?\s?(?:the\s|both\s)?$")
_RES_LIST_GAP = regex.compile(r"\s?(?:,\s?(?:and\s)?|\s(?:and|&)\s)\s?")
_GAIN_AFTER = regex.compile(
    r"\s?(?:relative\s|absolute\s|average\s|overall\s)?(?i:improv|gain|boost|increase|reduction|"
    r"decrease|lower|higher|better|fewer|less|faster|speed|drop|lift|saving|accelerat|smaller|"
    r"cheaper|more\s(?:efficient|accurate))"
)
# After a factor: a count of things ("fewer") or a change noun before what it changes; the
# factor keeps the metric's own name.
_FACTOR_KEEPS_NAME = regex.compile(
    r"\s?(?:times\s)?(?:fewer\b|(?:reduction|improvement|gain|increase|decrease)s?\s(?:in|of)\b)")
_MORE_AFTER = regex.compile(r"\s?(?:more|larger|greater)\b")
_SPEED_WORDS = regex.compile(r"(?i:faster|speed|accelerat|throughput)")
_SPEED_VERB = regex.compile(r"(?i:\b(?:faster|speeds?\sup|sped\sup|speed-?ups?|accelerat\w*)\b)")

# The rules' names for a change whose metric they did not find: the learned tagger may name it.
_UNNAMED = frozenset({"improvement", "relative gain"})

# Cue words too weak on their own to make an unnamed percentage a gain.
_WEAK_CUES = frozenset({"by", "up to", "+", "average", "on average", "relative", "margin"})


@dataclass(slots=True)
class _Value:
    tag: Tag
    value: float
    unit: str | None
    start: int
    end: int
    metric: str | None = None
    kind: str = "absolute"
    role: str = "proposed"
    dataset_tag: Tag | None = None
    dataset: str | None = None
    resolution: int | None = None
    steps: int | None = None
    setting: str | None = None
    model: str | None = None
    from_to: bool = False
    """Part of "from A to B" (its role is set by that)."""
    measure: str | None = None
    """The unit word of a measurement that is a metric value ("8.7 mm" after "error of")."""
    extra_datasets: list[Tag] = field(default_factory=list)
    """Further datasets a single value is stated for ("by 10 points on A and B")."""
    more_resolutions: list[int] = field(default_factory=list)
    """Further resolutions the value is stated at ("at both 256x256 and 512x512")."""
    usual: bool = False
    """Its metric is the usual metric of the dataset it is stated on (`usual_metric_of`)."""
    groups: dict[str, list[_Value]] = field(default_factory=dict)
    """"list", "slash" and "pair" groups this value belongs to (itself included)."""


@dataclass(slots=True)
class _Context:
    """What a following sentence may inherit when it refers back ("these scores")."""

    metric: str | None = None
    datasets: list[Tag] = field(default_factory=list)
    steps: int | None = None
    setting: str | None = None
    by_metric: dict[str, Tag] = field(default_factory=dict)
    """The dataset each metric's first value was on ("+2.07 mIoU on Cityscapes and +4.17
    PCK on SPair-71k. ... these gains increase to +3.36 mIoU and +8.09 PCK")."""


def _inside(t: Tag, span: Span) -> bool:
    return span.start <= t.start and t.end <= span.end


def _overlaps(a_start: int, a_end: int, tags: list[Tag]) -> bool:
    return any(t.start < a_end and a_start < t.end for t in tags)


def candidate_values(text: str, sent: Span, tags: Tags, blocked: list[Tag]) -> list[_Value]:
    """Numbers in the sentence that may be result values."""
    mt = resources.metrics()
    out: list[_Value] = []
    skips = [t for t in tags.skips if _inside(t, sent)]
    assign_blocks: list[Tag] = []
    assign_metric: dict[int, str] = {}
    for t in skips:
        if t.label != "ASSIGN":
            continue
        m = t.extra
        lhs = fold(m.group("lhs"))
        ls, le = m.span("lhs")
        metric = mt.alias_to_metric.get(lhs) or next(  # "PESQ score = 3.35"
            (str(x.value) for x in tags.metrics if x.start < le and ls < x.end), None)
        s, e = m.span("n")
        if metric is None:
            assign_blocks.append(Tag(s, e, "SKIP"))
        else:
            assign_metric[s] = metric
    metrics = [m for m in tags.metrics if _inside(m, sent)]
    # A value lies inside the sentence: only tags that reach into it can overlap one.
    near = [b for b in blocked if b.start < sent.end and sent.start < b.end]
    changes = [t for t in skips if t.extra == "range" and _change_to(text, sent, t, metrics)]
    hard = [t for t in skips if t.label != "ASSIGN" and t not in changes and not (
        t.extra == "range" and _outcome_range(text, t, metrics))] + assign_blocks + near
    measures: set[str] = set()
    for t in tags.numbers:
        if not _inside(t, sent) or t.label == "size":
            continue
        vs, ve = t.extra
        if t.label == "share":
            metric = next((name for before, after, name in _SHARE_RESULTS
                           if before.search(text, max(sent.start, t.start - 30), t.start)
                           and after.match(text, t.end)), None)
            if metric is not None:
                out.append(_Value(t, float(t.value), "%", t.start, ve, metric=metric))
            continue
        if _overlaps(vs, ve, hard):
            continue
        measure = None
        unit_metric = None
        end = t.end
        if t.label == "measure" and text[ve:t.end].strip() == "of":
            # "83.7 of image AUROC": the value of the metric named after it, or nothing
            if metric_after(text, _Value(t, float(t.value), None, t.start, ve), metrics) is None:
                continue
            end = ve
        elif t.label == "measure":
            measure = text[ve:t.end].strip()
            unit_metric = mt.alias_to_metric.get(fold(measure))  # "70 FPS": the unit is a metric
            if unit_metric is not None:
                measure = None
            elif not measure or measure.endswith("of") or not (
                    measure in measures or _after_metric_of(text, vs, metrics)
                    or _measure_of_change(text, vs, metrics)):
                continue  # a measurement, unless it is the value of a named metric
            else:
                measures.add(measure)
        unit = None if t.label in ("plain", "measure") else t.label
        if unit is None and measure is None and unit_metric is None:
            wa = _WORD_AFTER.match(text, end)
            if wa and wa.group("w") not in _ALLOWED_AFTER and not any(
                m.start in (wa.start("w"), wa.end("w") + 1) for m in tags.metrics
            ) and not (wa.group("w") == "out" and text.startswith(" of", wa.end("w"))):
                continue  # "50 lines", "0.1 microrad": a count or a measurement
        if unit_metric is None and measure is None:
            acr = _ACRONYM_AFTER.match(text, end)
            if acr is not None and not any(
                    x.start in (acr.start("w"), acr.end("w") + 1)
                    for x in (*tags.metrics, *tags.datasets)):
                continue  # "~1.3% CoV": the value of something the table does not know
        v = _Value(t, float(t.value), unit, t.start, end, measure=measure)
        change = next((c for c in changes if c.start <= vs < c.end), None)
        if change is not None:  # the first end is where the change starts from
            v.from_to = True
            v.role = "baseline" if vs == change.start else "proposed"
        if vs in assign_metric:
            v.metric = assign_metric[vs]
        elif unit_metric is not None:
            v.metric = unit_metric
        out.append(v)
    return out


_SIGNS = "+-\u2212"
_ASIDE_OPEN = regex.compile(r"\s?\(\s?")
_ASIDE_CLOSE = regex.compile(r"\s?\)")


def _signed_asides(text: str, values: list[_Value]) -> dict[int, _Value]:
    """Signed numbers in brackets right after a value: its change over what it is compared
    with ("66.49% (+4.9%) on ACE05", "an AUROC of 0.8955 (+7.64%)"), by id of the value.
    They are left out of the sentence's lists and links, and take their value's metric and
    dataset at the end (`_with_asides`)."""
    out: dict[int, _Value] = {}
    last: _Value | None = None  # an aside is no value with an aside of its own
    for host, v in pairwise(values):
        if (host is not last and text[v.tag.start] in _SIGNS
                and _ASIDE_OPEN.fullmatch(text, host.end, v.tag.start) is not None
                and _ASIDE_CLOSE.match(text, v.end) is not None):
            out[id(host)] = last = v
    return out


def _with_asides(values: list[_Value], asides: dict[int, _Value]) -> list[_Value]:
    """`values` with the aside of each kept value right after it: a relative change of the
    value's metric, on its dataset and by its system (`_signed_asides`)."""
    out: list[_Value] = []
    for v in values:
        out.append(v)
        a = asides.get(id(v))
        if a is not None and v.kind == "absolute":
            a.metric, a.kind, a.role, a.model = v.metric, "relative", "proposed", v.model
            a.dataset_tag, a.extra_datasets = v.dataset_tag, v.extra_datasets
            a.unit = a.unit or v.unit
            out.append(a)
    return out


def _change_to(text: str, sent: Span, t: Tag, metrics: list[Tag]) -> bool:
    """A range "A to B" after a verb of change and the metric it changes is a change from A
    to B, as if "from" were written: "reduces guidance-free FID (e.g., 9.38 to 2.62 on SiT)";
    so is one in brackets right after its metric: "while preserving F1 (0.494 to 0.490)"."""
    if _TO_SEP.search(text, t.start, t.end) is None:
        return False
    if text[t.start - 2:t.start] == " (" and any(m.end == t.start - 2 for m in metrics):
        return True
    verb = _CHANGE_VERB.search(text, max(sent.start, t.start - 90), t.start)
    return verb is not None and any(
        verb.end() <= m.start and m.end <= t.start and t.start - m.end <= 30 for m in metrics)


def _outcome_range(text: str, t: Tag, metrics: list[Tag]) -> bool:
    """True when a range ("22.7-64.5%") states outcomes, not a setting."""
    if _RANGE_BY_BEFORE.search(text, max(0, t.start - 30), t.start):
        return True
    if _RANGE_GAIN_AFTER.match(text, t.end) or _RANGE_REACHED_BEFORE.search(
            text, max(0, t.start - 30), t.start):
        return True
    unit = _RANGE_UNIT_AFTER.match(text, t.end)  # "22.7-32.0 FPS": a unit that is a metric
    if unit is not None and fold(unit.group("w")) in resources.metrics().alias_to_metric:
        return True
    # The value of the metric named right before or right after it: "AUC 0.97-0.99",
    # "60-93% top-5 accuracy".
    if any(0 < t.start - m.end <= 1 or 0 < m.start - t.end <= 1 for m in metrics):
        return True
    return _after_metric_of(text, t.start, metrics) and _RANGE_OF_BEFORE.search(
        text, max(0, t.start - 20), t.start) is not None


# The start of "from A km to B km" before a value: its "from" (A) or its "from A ... to" (B).
_FROM_TO_BEFORE = regex.compile(
    r"\bfrom\s(?:about\s|around\s|roughly\s|approximately\s)?"
    r"(?:[+−-]?\d[\d.,]*\s?[A-Za-z/-]{0,8}(?:\s[a-zA-Z]-?\d)?\s(?:down\s|up\s)?to\s"
    r"(?:about\s|around\s|roughly\s|approximately\s|between\s|only\s|just\s)?)?$"
)
_MOVE_VERB = regex.compile(
    r"\b(?:drop|fall|fell|rise|rose|risen|decline|climb|jump|go|went|grow|grew|shrank|shrink)"
    r"(?:s|ed|ing|n)?\b")


def _measure_of_change(text: str, pos: int, metrics: list[Tag]) -> bool:
    """A measurement that is a named metric's value as it changes: "track error reduces from
    162.4 to 86.4 km", "the runtime per task drops from 291 seconds to"."""
    m = _FROM_TO_BEFORE.search(text, max(0, pos - 40), pos)
    if m is None:
        return False
    return any(0 <= m.start() - t.end <= 1  # "wind speed error from 17.2 to 6.69 m s-1"
               or (t.end <= m.start() and m.start() - t.end <= 30  # "... error drops from"
                   and (_CHANGE_VERB.search(text, t.end, m.start()) is not None
                        or _MOVE_VERB.search(text, t.end, m.start()) is not None))
               for t in metrics)


def _after_metric_of(text: str, pos: int, metrics: list[Tag]) -> bool:
    """A metric is named right before `pos` ("a depth error of 8.7 mm")."""
    for m in metrics:
        if m.end <= pos and pos - m.end <= 25 and _METRIC_OF_BEFORE.fullmatch(
                text, m.end, pos) is not None:
            return True
    return False


def _named_alike(text: str, a: _Value, b: _Value, metrics: list[Tag]) -> bool:
    """"63.5 J&F and 64.8 J&F": two values, each followed by the same metric name, with a
    list separator between the first name and the second value."""
    after_a, after_b = _metric_right_after(a, metrics), _metric_right_after(b, metrics)
    return after_a is not None and after_b is not None and after_a.value == after_b.value \
        and _SEPARATOR.fullmatch(text, after_a.end, b.start) is not None


def _list_groups(text: str, values: list[_Value], metrics: list[Tag]) -> None:
    """Mark coordinated lists ("1.22x, 1.43x, and 1.5x", "63.5 J&F and 64.8 J&F") and slash
    lists ("1.79/1.58")."""
    lists: list[list[int]] = []
    slashes: list[list[int]] = []
    for i, v in enumerate(values):
        if i and (_SEPARATOR.fullmatch(text, values[i - 1].end, v.start)
                  or _named_alike(text, values[i - 1], v, metrics)):
            lists[-1].append(i)
        else:
            lists.append([i])
        if i and _SLASH.fullmatch(text, values[i - 1].end, v.start):
            slashes[-1].append(i)
        else:
            slashes.append([i])
    pairs: list[list[int]] = []
    for i, v in enumerate(values):
        if i and _PAIR.fullmatch(text, values[i - 1].end, v.start):
            pairs[-1].append(i)
        else:
            pairs.append([i])
    for grp in lists:
        for i in grp:
            values[i].groups["list"] = [values[j] for j in grp]
        last = values[grp[-1]]
        if last.unit in ("%", "pp", "x"):
            for i in grp[:-1]:
                if values[i].unit is None:
                    values[i].unit = last.unit
    for grp in pairs:
        for i in grp:
            values[i].groups["pair"] = [values[j] for j in grp]
    for i in range(1, len(values)):
        a, b = values[i - 1], values[i]
        if a.unit is None and a.measure is None and b.unit in ("%", "pp", "x") and \
                _RANGE_SEP.fullmatch(text, a.end, b.start):
            a.unit = b.unit  # "22.7-64.5%": both ends are percentages
            a.groups["range"] = [a, b]
        if a.unit is None and a.metric is None and b.measure is None and b.metric is not None \
                and b.tag.label == "measure" and _RANGE_SEP.fullmatch(text, a.end, b.start):
            a.metric = b.metric  # "22.7-32.0 FPS": the unit that is a metric names both ends
    for grp in slashes:
        for i in grp:
            values[i].groups["slash"] = [values[j] for j in grp]


def _metric_runs(text: str, metrics: list[Tag]) -> list[list[Tag]]:
    """Coordinated runs of distinct metric names ("MSE and MAE", "EER, minDCF and Cllr")."""
    runs: list[list[Tag]] = []
    for m in metrics:
        if runs and _LIST_GAP.fullmatch(text, runs[-1][-1].end, m.start):
            runs[-1].append(m)
        else:
            runs.append([m])
    return [run for run in runs if len(run) > 1 and len({str(m.value) for m in run}) == len(run)]


def _list_beside(text: str, values: list[_Value], metrics: list[Tag], run: list[Tag],
                 after: bool) -> list[_Value]:
    """The list of as many values as `run` has metrics that starts right after the run
    (`after`) or ends right before it: at most 60 characters away, no metric between; or []."""
    v = next((w for w in values if w.start >= run[-1].end), None) if after else \
        next((w for w in reversed(values) if w.end <= run[0].start), None)
    if v is None:
        return []
    lo, hi = (run[-1].end, v.start) if after else (v.end, run[0].start)
    if hi - lo > 60 or any(m.start >= lo and m.end <= hi for m in metrics):
        return []
    lst = v.groups.get("list", [v])
    return lst if len(lst) == len(run) and lst[0 if after else -1] is v else []


def _metric_lists(text: str, values: list[_Value], metrics: list[Tag]) -> None:
    """"reduces the MSE and MAE by 9.17% and 2.3%": a list of n metrics, then a list of n
    values with nothing between: the values are the metrics' in order."""
    for run in _metric_runs(text, metrics):
        lst = _list_beside(text, values, metrics, run, after=True)
        if lst:
            for v, m in zip(lst, run, strict=True):
                if v.metric is None:
                    v.metric = str(m.value)


def _respective_metrics(text: str, values: list[_Value], metrics: list[Tag]) -> None:
    """"4.11% and 10.62% relative improvement in EER and minDCF, respectively": a list of n
    values right before a run of n metrics and "respectively" after the run: one metric a
    value, in order."""
    for run in _metric_runs(text, metrics):
        lst = _list_beside(text, values, metrics, run, after=False) \
            if _RESPECTIVELY.match(text, run[-1].end) is not None else []
        if lst:
            for v, m in zip(lst, run, strict=True):
                v.metric = str(m.value)


def metric_after(text: str, v: _Value, metrics: list[Tag],
                 datasets: Sequence[Tag] = ()) -> str | None:
    """A metric named right after the value ("85% accuracy", "3x fewer tokens"), or after the
    value and a dataset name ("85.5% ImageNet top-1 accuracy", "2.1 CIFAR-10 FID")."""
    end = next((d.end for d in datasets if d.start > v.end and not text[v.end:d.start].strip()),
               v.end)
    for m in metrics:
        if m.start >= end and m.start - end <= 45:
            f = _FILLER_AFTER.match(text, end, m.start)
            if f is not None and f.end() == m.start:
                return str(m.value)
            if end > v.end:
                break  # after a dataset name, only the metric itself
            if _COMPARATIVE_GAP.fullmatch(text, v.end, m.start) or _IN_GAP.fullmatch(
                    text, v.end, m.start):
                return str(m.value)
            # One modifier between: "99% exact accuracy", "49% fewer input tokens".
            if f is not None:
                g = _ONE_MODIFIER.match(text, f.end(), m.start)
                if g is not None and g.end() == m.start and m.start - v.end <= 30:
                    return str(m.value)
            if _ARTICLE_BEFORE.search(text, max(0, v.start - 4), v.start) and \
                    _NOUN_PHRASE_GAP.fullmatch(text, v.end, m.start):
                return str(m.value)
            break
    return None


_IN_BRACKETS_AFTER_NAME = regex.compile(r"[\w)-]\s?\(\s?$")
_BRACKET_CLOSE = regex.compile(r"\s?(?:%|pp|points?)?\s?\)")
_BRACKET_LIST_TO_METRIC = regex.compile(r"\)\s(?:in|on|for)\s(?:terms\sof\s)?(?:the\s)?$")


def _metric_after_bracket_list(text: str, sent: Span, v: _Value,
                               metrics: list[Tag]) -> str | None:
    """"iVQA (+4.8), Next-QA (+6.9) and ActivityNet-QA (+4.8) in accuracy": a value in brackets
    after a name, in a list of such that ends in "in <metric>": the metric of them all."""
    if _IN_BRACKETS_AFTER_NAME.search(text, max(sent.start, v.start - 3), v.start) is None or \
            _BRACKET_CLOSE.match(text, v.end) is None:
        return None
    m = next((m for m in metrics if m.start >= v.end), None)
    if m is None or m.start - v.end > 120 or \
            _BRACKET_LIST_TO_METRIC.search(text, v.end, m.start) is None:
        return None
    return str(m.value)


def assign_metric(text: str, sent: Span, v: _Value, metrics: list[Tag], ctx: _Context,
                  anaphora: bool, cues: list[Tag], in_from_to: bool) -> str | None:
    """The metric a value is measured by, or None when it is not a result."""
    if v.metric:
        return v.metric
    after_list = _metric_after_bracket_list(text, sent, v, metrics)
    if after_list is not None:
        return after_list
    named_after = _COMPARATIVE_NAMED.match(text, v.end) is not None
    before = [m for m in metrics if m.end <= v.start]
    last = v.groups.get("pair", [v])[-1]
    if "(" in text[v.end:last.start]:
        last = v  # "80.5% (7.7 point absolute improvement)": the gain is the aside's
    size_factor = v.unit == "x" and (_SIZE_FACTOR_AFTER.match(text, v.end) is not None or (
        last.end > v.end and _SIZE_FACTOR_AFTER.match(text, last.end) is not None))
    if size_factor:
        before = [m for m in before if (e := resources.metrics().by_name.get(str(m.value)))
                  is not None and e.relative_only]
    if before and not named_after:
        m = before[-1]
        entry = resources.metrics().by_name.get(str(m.value))
        gap = text[m.end:v.start]
        pair = _NEXT_PAIR.fullmatch(gap)
        if pair is not None and not MODEL_FAMILY.match(pair.group("name")) and \
                fold(pair.group("name")) not in resources.datasets().by_key:
            return pair.group("name")  # "FID 3.49 and KDD 0.319": KDD, not FID
        if _NOUN_BY.search(gap):
            pass  # "PSNR by 8.7%, coverage by 5.96": the value belongs to "coverage"
        elif entry is not None and entry.relative_only and v.start - m.end > 45:
            pass  # cost metrics only own values stated right next to them
        else:
            return str(m.value)
    if anaphora and ctx.metric and not named_after:
        return ctx.metric
    if in_from_to or size_factor:
        return None
    if v.unit is None and _PLAIN_GAIN.match(text, v.end):
        return "improvement"  # "an 18.8 improvement on ReferItGame": a gain, its metric unnamed
    if v.unit in ("%", "pp", "x"):
        if text[v.tag.start] == "+":
            return "improvement"
        if v.unit in ("%", "pp") and _BY_RIGHT_BEFORE.search(
                text, max(sent.start, v.start - 30), v.start) and _CHANGE_VERB.search(
                text, sent.start, v.start):
            return "improvement"  # "improves ... (XSum by 18.6%)", "by over 10 points"
        if v.unit == "%" and _LEVEL_BEFORE.search(text, max(sent.start, v.start - 20), v.start) \
                and _GAIN_AFTER.match(text, v.end) is None \
                and _GAIN_AFTER.match(text, last.end) is None:  # "29.2% to 46.4% gains"
            return None  # a level reached without a metric: no claim to name
        window_start = max(sent.start, v.start - 60)
        if v.unit == "x" and _SPEED_VERB.search(text, window_start, min(sent.end, v.end + 25)):
            return "speedup"  # "accelerates sampling by up to 278.6 times", "2x faster"
        near = [c for c in cues if c.label in ("CUE:gain", "CUE:drop", "CUE:outperform")
                and c.start >= window_start and c.start <= v.end + 40
                and fold(text[c.start:c.end]) not in _WEAK_CUES]
        if near and v.unit != "x" and _GAIN_AFTER.match(text, last.end) is None and \
                _LEVEL_OF_BEFORE.search(text, max(sent.start, v.start - 40), v.start):
            return None  # "outperforms ..., with a new record of 85.3%": a level
        if near:
            clause_text = text[window_start:min(sent.end, v.end + 40)]
            if v.unit == "x" and _SPEED_WORDS.search(clause_text):
                return "speedup"
            return "improvement"
    return None


_FROM_AFTER_DATASET = regex.compile(r"\sfrom\s(?:\d+(?:\.\d+)?\s?%?\sto\s)?")
"""Between a dataset and a value of "on D from A to B"."""


def _usual_for(dataset: str, unit: str | None) -> str:
    """The usual metric of `dataset` for a value with `unit`: not one a percentage cannot be
    (Places365's usual FID for "60.14% on Places 2"); else accuracy for a percentage and
    "score" for a plain number."""
    usual = usual_metric(dataset)
    entry = resources.metrics().by_name.get(usual or "")
    if unit == "%" and entry is not None and not (
            entry.unit == "%" or (not entry.unit and entry.max is not None)):
        usual = None  # a percentage is a "%" metric's value, or a bounded plain score's
    return usual or ("accuracy" if unit == "%" else "score")


def usual_metric_of(text: str, v: _Value, dtags: list[Tag], cues: list[Tag]) -> str | None:
    """The usual metric of the dataset an unnamed number is stated on ("achieves 78.6 on COCO
    test-dev" -> mAP; `gazetteers/dataset_metrics.csv`), when a result verb comes before
    it in the sentence; for a dataset without one (a new benchmark), accuracy for a
    percentage ("69% on MMLU") and "score" for a plain number ("8.38 on MT-bench"). None when
    the number is not stated on a dataset."""
    if v.measure is not None or v.unit not in (None, "%") or text[v.tag.start] in _SIGNS:
        return None
    if v.from_to:  # "improve the state of the art on LAMBADA from 7.3% to 49%"
        on = next((d for d in reversed(dtags) if d.end <= v.start
                   and _FROM_AFTER_DATASET.fullmatch(text, d.end, v.start)), None)
        if on is not None and any(c.label in ("CUE:result", "CUE:gain") and c.end <= on.start
                                  for c in cues):
            return _usual_for(str(on.value), v.unit)
    verb = any(c.label == "CUE:result" and c.end <= v.start for c in cues) or (
        # "outperforms ..., with a new record of 85.3% on X": a level after a gain verb
        _LEVEL_OF_BEFORE.search(text, max(0, v.start - 40), v.start) is not None
        and any(c.label in ("CUE:outperform", "CUE:gain") and c.end <= v.start for c in cues))
    if not verb and sum(
            1 for d in dtags if COLON_VALUE.match(text, d.end)) < 2:
        return None  # no result verb, and not a list "USMLE: 60.2%, MedMCQA: 62.7% and ..."
    on = next((d for d in dtags if d.start >= v.end and d.start - v.end <= 40
               and _ON_DATASET_AFTER.fullmatch(text, v.end, d.start) is not None), None)
    if on is None:
        on = next((d for d in reversed(dtags) if d.end <= v.start
                   and _DATASET_BEFORE_VALUE.fullmatch(text, d.end, v.start)), None)
    if on is None:
        scored = next((d for d in reversed(dtags) if d.end <= v.start
                       and _DATASET_SCORE_BEFORE.fullmatch(text, d.end, v.start)), None)
        return "score" if scored is not None else None  # "pushing the GLUE score to 80.5%"
    return _usual_for(str(on.value), v.unit)


def _share_usual_metric(values: list[_Value]) -> None:
    """"75% and 78% on MMLU": the values listed before the one stated on a dataset, with its
    unit and no metric of their own, take the usual metric it took."""
    for v in values:
        if v.metric is None:
            named = [w for w in v.groups.get("list", []) if w.usual and w.unit == v.unit
                     and w.start > v.start]
            if named:
                v.metric = named[0].metric
                v.usual = True


def _unit_key(v: _Value) -> str:
    return v.measure or v.unit or ""


def _align_compared_units(values: list[_Value]) -> None:
    """"a Jaccard score of 87% and a depth error of 8.7 mm, compared with 28% and 29.3 mm":
    a compared value takes the metric of the proposed value stated in the same unit."""
    for i, v in enumerate(values):
        if v.role != "baseline":
            continue
        earlier = [w for w in values[:i] if w.role == "proposed"]
        if len({w.metric for w in earlier}) < 2:
            continue
        same = {w.metric for w in earlier if _unit_key(w) == _unit_key(v)}
        if len(same) == 1:
            v.metric = same.pop()


def _clause_of(clauses: list[Span], pos: int) -> Span:
    for c in clauses:
        if c.start <= pos < c.end:
            return c
    return clauses[-1]


def assign_kind(text: str, v: _Value, cues: list[Tag], metrics: list[Tag]) -> None:
    entry = resources.metrics().by_name.get(v.metric or "")
    if v.unit == "x":
        v.kind = "count" if _COUNT_AFTER.match(text, v.end) and (
            entry is not None and entry.relative_only and entry.metric != "speedup"
        ) else "relative"
        return
    if v.unit == "pp":
        v.kind = "relative"
        return
    named = next((m for m in metrics if 0 <= m.start - v.end <= 1), None)
    # "5.5% H@1 gain", or a phrase named by its change ("a 16.67% revenue uplift")
    gain_named = named is not None and (
        _GAIN_NOUN.match(text, named.end) is not None or named.extra == "change")
    comp = _COMPARATIVE_GAP.match(text, v.end) if v.unit is None else None
    if comp is not None and not text.startswith("than", comp.end()):
        v.kind = "relative"  # "0.0982 higher CW-SSIM": a difference, not a value
        return
    if v.unit == "%":
        if entry is not None and entry.relative_only:
            v.kind = "relative"
            return
        lst = v.groups.get("list", [v])
        rng = v.groups.get("range")  # "3-17% more accurate": both ends are gains
        if v.tag.value < 0 or text[v.tag.start] == "+" or _GAIN_AFTER.match(text, v.end) or (
                rng is not None and _GAIN_AFTER.match(text, rng[-1].end)) or (
                _GAINS_RANGING.search(text, max(0, v.start - 60), v.start)) or (
                lst[-1] is not v and lst[-1].unit == "%"
                and _GAIN_AFTER.match(text, lst[-1].end)) or (  # "52.5% and 90% higher"
                gain_named):
            v.kind = "relative"
            return
        v.kind = "relative" if _changed_by(text, v, cues) else "absolute"
        return
    # "improving over the best results by over 2 BLEU" (not "a BLEU of 28.4"), "+2.07 mIoU",
    # "an 18.8 improvement", "1.2 BLEU improvement"
    v.kind = "relative" if v.unit is None and (
        text[v.tag.start] == "+" or _PLAIN_GAIN.match(text, v.end) or gain_named
        or _changed_by(text, v, cues, of=False)) else "absolute"


def _changed_by(text: str, v: _Value, cues: list[Tag], of: bool = True) -> bool:
    """A value stated as a change: "by" (or, with `of`, "of") right before it, after a gain
    or drop word ("improves ... by 5%", "an improvement of 5%")."""
    by = _BY_BEFORE.search(text, max(0, v.start - 20), v.start)
    if by is None or (not of and not by.group().startswith("by")):
        return False
    # "an improvement of 5%": only the noun right before "of" makes it a change (not
    # "outperforms ..., reaching an accuracy of 73.5%").
    near = by.start() - 2 if by.group().startswith("of") else 0
    return any(c.label in ("CUE:gain", "CUE:drop", "CUE:outperform")
               and near <= c.end <= v.start
               and fold(text[c.start:c.end]) not in ("by", "up to", "+", "average")
               for c in cues)


def assign_role(text: str, clause: Span, v: _Value, first_in_clause: int,
                cues: list[Tag]) -> bool:
    """Set the role from comparison cues; True when the value is part of "from A to B"."""
    before = [c for c in cues if clause.start <= c.start and c.end <= v.start]
    froms = [c for c in before if c.label == "CUE:from"]
    if froms and v.start - froms[-1].end <= 120:
        tos = [c for c in before if c.label == "CUE:to" and c.start > froms[-1].end]
        if not tos:
            later_to = [c for c in cues if c.label == "CUE:to" and v.end <= c.start < clause.end]
            if later_to:
                v.role = "baseline"
                return True
        else:
            v.role = "proposed"
            return True
    for c in reversed(before):
        if c.label == "CUE:prior" and v.start - c.end <= 40:
            v.role = "prior_sota"
            return False
    for c in reversed(before):
        if c.label in ("CUE:vs", "CUE:than") and c.start > first_in_clause:
            if not _OWN_SUBJECT.search(text, c.end, v.start):
                v.role = "baseline"
            return False
    return False


_OWN_SUBJECT = regex.compile(
    r"(?i)(?:,\s|\b)(?:our\s(?:\w+[\s-]){0,2}?|we\s)(?:\w+ly\s)?"
    r"(?:achieves?|reach(?:es)?|obtains?|attains?|scores?|gets?|yields?|delivers?)\b"
    r"|\b(?:while|and)\s(?:still\s)?(?:achieving|reaching|obtaining|attaining|maintaining|"
    r"delivering|yielding|running\sat)\b")
"""A new subject between a comparison and a value ("With 15x fewer parameters than LLMs,
our model achieves 1.5% WER"), or the compared subject going on ("300 times fewer parameters
than PraNet while achieving 235 FPS"): the value is the paper's own."""


def _dataset_groups(text: str, dtags: list[Tag]) -> list[list[Tag]]:
    """Datasets written as slash lists ("CIFAR-10/ImageNet-64")."""
    groups: list[list[Tag]] = []
    for i, d in enumerate(dtags):
        if i and _SLASH.fullmatch(text, dtags[i - 1].end, d.start):
            groups[-1].append(d)
        else:
            groups.append([d])
    return groups


def _distinct(dtags: list[Tag]) -> list[Tag]:
    seen: set[str] = set()
    out: list[Tag] = []
    for d in dtags:
        if d.value not in seen:
            seen.add(d.value)
            out.append(d)
    return out


def _model_list(text: str, sent: Span, tags: Tags, after: int) -> list[str]:
    for t in sentence_tags(tags, "models", text, sent.start, sent.end):
        if t.start >= after:
            items = regex.split(r",\s?(?:and\s|or\s)?|\s(?:and|or)\s", t.extra.group("list"))
            return [i.strip() for i in items if i.strip()]
    return []


_RESPECTIVE_ON = regex.compile(r"\s(?:on|for|across)\s(?:the\s)?")
_RESPECTIVE_TAIL = regex.compile(r"(?:,?\s(?:datasets?|benchmarks?|test\ssets?|tasks?))?,?\s*$")


def _respective_names(text: str, after: int, resp: Tag, dtags: list[Tag]) -> list[Tag]:
    """The list of names between the values and "respectively" ("86.41, 85.46, and 94.2 F1
    on ACE2004, ACE2005, and NNE, respectively"): the dataset tags it holds, and for a name
    the gazetteer does not know, the name itself; [] unless every item is a tag or a name."""
    on = _RESPECTIVE_ON.search(text, after, resp.start)
    if on is None:
        return []
    start = on.end()
    tail = _RESPECTIVE_TAIL.search(text, start, resp.start)
    end = tail.start() if tail is not None else resp.start
    out: list[Tag] = []
    pos = start
    for item in [*_LIST_GAP.finditer(text, start, end), None]:
        s, e = pos, (item.start() if item is not None else end)
        pos = item.end() if item is not None else end
        tag = next((d for d in dtags if d.start == s and d.end == e), None)
        name = text[s:e]
        if tag is None:
            if any(d.start < e and s < d.end for d in dtags) or not name[:1].isupper() or \
                    len(name.split()) > 3 or MODEL_FAMILY.match(name):
                return []  # part of a known name ("WMT14 En-De"), or not a name
            tag = name_tag(s, e, name, "respectively")
        out.append(tag)
    # A plain capitalised word ("Kumar") or a short acronym ("NNE"; but also "GPU", "WT") is
    # a dataset only in a list that also holds a known one.
    if all(t.label == "respectively" for t in out) and not all(
            looks_like_name(n := str(t.value)) and not (n.isupper() and len(n) <= 3)
            for t in out):
        return []
    return out


def _metric_period(values: list[_Value]) -> int:
    """The length of the metric pattern a list of values repeats (m1, m2, m1, m2 -> 2), or 0
    when it repeats none."""
    n = len(values)
    for p in range(2, n // 2 + 1):
        if n % p == 0 and len({w.metric for w in values[:p]}) == p and all(
                values[i].metric == values[i % p].metric for i in range(n)):
            return p
    return 0


def assign_datasets(text: str, sent: Span, clauses: list[Span], values: list[_Value],
                    dtags: list[Tag], tags: Tags, ctx: _Context, anaphora: bool,
                    resp: Tag | None, prev_datasets: list[Tag]) -> None:
    slash_ds = [g for g in _dataset_groups(text, dtags) if len(g) > 1]
    distinct = _distinct(dtags)
    only = _distinct(tags.datasets)
    inherited = ctx.datasets if (anaphora and not dtags) else []
    # "... on A and B. It reaches 84.2% and 87.9%, respectively": a respectively-list with
    # no dataset in its sentence is on the datasets the sentence before was on, in order.
    # "... using the A, B, and C datasets. And our best FID is 15.7, 22.35, and 17.52": a
    # sentence that is one list of as many values as the sentence before listed datasets.
    bare_list = resp is None and len(values) == len(prev_datasets) > 1 \
        and len({v.metric for v in values}) == 1 and all(
            len(v.groups.get("list", [v])) == len(values) for v in values)
    listed_before = prev_datasets if ((resp is not None or bare_list)
                                      and not dtags and not anaphora) else []
    present = {id(w) for w in values}
    # "85.1% mAP / 87.2% rank1, 82.4% mAP / 84.9% rank1 and 91.5% mAP / 96.3% rank1 on A, B
    # and C, respectively": a pattern of metrics repeated once per dataset, in order
    periodic = [w for w in values if resp is not None and w.end <= resp.start]
    period = _metric_period(periodic) if all(
        len(w.groups.get("list", [w])) == 1 for w in periodic) else 0
    if period and len(distinct) * period == len(periodic):
        for k, w in enumerate(periodic):
            w.dataset_tag = distinct[k // period]
    for v in values:
        if period and v.dataset_tag is not None:
            continue
        entry = resources.metrics().by_name.get(v.metric or "")
        if entry is not None and entry.no_dataset:
            # "its detection speed could reach up to 70 fps": a speed of the hardware, on a
            # dataset only when one is written right after it
            nxt = next((d for d in dtags if d.start >= v.end), None)
            if nxt is not None and _ON_BEFORE_DATASET.fullmatch(text, v.end, nxt.start):
                v.dataset_tag = nxt
            continue
        slash = [w for w in v.groups.get("slash", [v]) if id(w) in present]
        lst = [w for w in v.groups.get("list", [v]) if id(w) in present]
        pos_slash = next(k for k, w in enumerate(slash) if w is v)
        pos_list = next(k for k, w in enumerate(lst) if w is v)
        if len(slash) > 1:
            for g in slash_ds:
                if len(g) == len(slash):
                    v.dataset_tag = g[pos_slash]
                    break
            if v.dataset_tag is not None:
                continue
        in_order = resp is not None and (v.start < resp.start or fold(
            text[resp.start:resp.end]) == "respective")  # "on A and B, with respective ..."
        if not in_order and len(lst) > 1 and len(distinct) == len(lst) and \
                lst[-1].end <= distinct[0].start <= lst[-1].end + 80 and _ON_SOMEWHERE.search(
                    text, lst[-1].end, distinct[0].start) and not any(
                    distinct[0].end <= w.start < distinct[-1].start for w in values):
            # "AUCs of 0.98, 0.99 and 0.97 on three datasets, namely A, B and C": as many
            # values as datasets, all the values first
            in_order = True
        if in_order and len(lst) > 1:
            same_metric = [w for w in lst if w.metric == v.metric]
            k = len(same_metric)
            if k == len(lst):
                if len(distinct) == k:
                    v.dataset_tag = distinct[pos_list]
                    continue
                named = _respective_names(text, lst[-1].end, resp, dtags) \
                    if resp is not None and resp.start > lst[-1].end else []
                if len(named) == k:
                    v.dataset_tag = named[pos_list]  # "on ACE2004, ACE2005, and NNE, resp..."
                    continue
                listed = _listed_before(text, dtags, lst[0].start)
                if len(listed) == k:
                    v.dataset_tag = listed[pos_list]  # "on A and B datasets to 51.1 and 44.3
                    continue  # respectively, and ... on C and D to ...": the list just before
                models = _model_list(text, sent, tags, lst[-1].end)
                if len(models) == k:
                    v.model = models[pos_list]
        if len(listed_before) > 1 and len(lst) == len(listed_before) and (
                bare_list or resp is not None and lst[-1].end <= resp.start):
            v.dataset_tag = listed_before[pos_list]
            continue
        if len(lst) > 1 and v is not lst[-1] and dtags:
            # "75% and 78% on MMLU, and 8.7 and 8.9 on MT-bench": a list of values stated on
            # one dataset, all of them on it
            i = next((i for i, d in enumerate(dtags) if d.start >= lst[-1].end), None)
            if i is not None and all(w.unit == v.unit for w in lst) and \
                    _ON_BEFORE_DATASET.fullmatch(text, lst[-1].end, dtags[i].start) and not (
                    i + 1 < len(dtags) and _LIST_GAP.fullmatch(  # "on A and B": not one
                        text, dtags[i].end, dtags[i + 1].start)):
                v.dataset_tag = dtags[i]
                continue
        if inherited:
            if v.metric in ctx.by_metric and len(ctx.by_metric) > 1:
                v.dataset_tag = ctx.by_metric[v.metric]
                continue
            if len(lst) == len(inherited) and len(lst) > 1:
                v.dataset_tag = inherited[pos_list]
                continue
            if len(inherited) == 1:
                v.dataset_tag = inherited[0]
                continue
        if not dtags:
            if tags.own_dataset is not None and not inherited:
                v.dataset_tag = tags.own_dataset  # a benchmark paper's results are on it
            elif not inherited and v.kind == "absolute" and len(only) == 1 and not (
                    entry is not None and entry.relative_only):
                v.dataset_tag = only[0]  # the one dataset the abstract names
            continue
        clause = _clause_of(clauses, v.start)
        after = [d for d in dtags if d.start >= v.end and d.start < clause.end]
        several = sum(1 for w in values if clause.start <= w.start < clause.end) > 1
        # Several values, then several datasets with no value between them ("... and 27 pp
        # higher LLEM on A and B"): which value is on which dataset is not said.
        across = after and len(after) > 1 and _LIST_GAP.fullmatch(
            text, after[0].end, after[1].start) and regex.search(
            r"\bacross\s", text[v.end:after[0].start])
        if across or (after and len(after) > 1 and _AGGREGATE.search(str(v.metric or ""))):
            continue  # "an average score of 75.3 across A, B and C": over all of them
        unaligned = several and len(after) > 1 and after[1].value != after[0].value and \
            not any(after[0].end <= w.start < after[1].start for w in values)
        if after and not unaligned:
            # (Several values before several datasets without "respectively": unaligned.)
            gap = text[v.end:after[0].start]
            if (_ON_BEFORE_DATASET.fullmatch(gap) or not gap.strip()) and not any(
                v.end <= w.start < after[0].start and not _CONDITION_BEFORE.fullmatch(
                    text, v.end, w.start) and not _other_metric_pair(text, v, w, tags.metrics)
                for w in values
            ):  # "77.4 mIoU at 102 FPS on Cityscapes": the FPS is the mIoU's condition
                listed = _list_run(text, after)
                if len(listed) > 1 and _AGGREGATE.search(gap):
                    continue  # "a 3-point gain in average performance across A, B, C"
                v.dataset_tag = after[0]
                if len(lst) == 1 and len(slash) == 1:
                    v.extra_datasets = listed[1:]  # "by 10 points on A and B": one per dataset
                continue
        before = [d for d in dtags if d.end <= v.start]
        cost = entry is not None and entry.relative_only and entry.direction == "lower"
        semi = text.rfind(";", sent.start, v.start)
        if cost and semi >= 0:
            # A cost figure (memory, latency) after a ";" is a separate statement: datasets
            # named before the ";" are not where it was measured.
            before = [d for d in before if d.start > semi]
        if before:
            listed = _listed_before(text, before, v.start)
            if len(_distinct(listed)) > 1:
                peers = [w for w in values if listed[-1].end <= w.start and w.metric == v.metric
                         and not any(listed[-1].end <= d.start < w.start for d in dtags)]
                if len(peers) == len(listed) and v in peers and _RESPECTIVELY.match(
                        text, peers[-1].end, sent.end):
                    # "on the text8 and Hutter Prize datasets to 1.19 bits/char and 1.08
                    # bits/char respectively": one value a dataset, in order
                    v.dataset_tag = listed[next(k for k, w in enumerate(peers) if w is v)]
                continue  # "across GSM8K, MATH and AIME ... reduces tokens by 19.4%": all
            v.dataset_tag = before[-1]
            continue
        if len(distinct) == 1 and not (cost and 0 <= distinct[0].start < semi):
            v.dataset_tag = distinct[0]


_RESPECTIVELY = regex.compile(r"[^.;]{0,40}?\brespectively\b")


def _list_run(text: str, tags: list[Tag], backward: bool = False) -> list[Tag]:
    """The tags from the first of `tags` (`backward`: up to the last) that are written as one
    list ("A, B and C"), in text order."""
    seq = tags[::-1] if backward else tags
    run = seq[:1]
    for d in seq[1:]:
        a, b = (d, run[-1]) if backward else (run[-1], d)
        if not _LIST_GAP.fullmatch(text, a.end, b.start):
            break
        run.append(d)
    return run[::-1] if backward else run


def _listed_before(text: str, dtags: list[Tag], pos: int) -> list[Tag]:
    """The list of datasets ("A, B and C") that is the last one before `pos` in `dtags`."""
    return _list_run(text, [d for d in dtags if d.end <= pos], backward=True)


def _metric_right_after(v: _Value, metrics: list[Tag]) -> Tag | None:
    """The metric written right after a value ("58.2 AP50"), if one is."""
    return next((m for m in metrics if 0 <= m.start - v.end <= 1), None)


def _other_metric_pair(text: str, v: _Value, w: _Value, metrics: list[Tag]) -> bool:
    """"58.7 box AP and 51.1 mask AP on COCO": `w` follows `v`, each value written right
    before its own metric, spelled differently; both are on the dataset after them."""
    a, b = _metric_right_after(v, metrics), _metric_right_after(w, metrics)
    return a is not None and b is not None and \
        fold(text[a.start:a.end]) != fold(text[b.start:b.end])


def assign_systems(text: str, sent: Span, values: list[_Value], avoid: list[Tag],
                   tags: Tags, own: str | None, resp: Tag | None) -> None:
    """The system each value is about (`systems.system_of`, else the title's system when the
    sentence names it before the value); a level reached by a known model the paper did not
    build, or said of the systems it evaluates ("the best model reaches 48%"), is a baseline
    ("GPT-4o reaches 62%" in a paper that evaluates it), and so is a number on the benchmark
    a benchmark paper introduces, unless its sentence credits the paper's own method.
    `own`: the title's system; `resp`: the sentence's "respectively", which aligns a list
    of values with a list of systems (`systems.respective_systems`)."""
    # "+4.0 pp on GPT-5": a model named within 40 characters after the last value counts
    found = systems.sentence_matches(text, sent.start,
                                     min(sent.end, max(v.end for v in values) + 60))
    own_method = tags.own_dataset is not None and \
        _OWN_METHOD.search(text, sent.start, sent.end) is not None
    for v in values:
        lst = v.groups.get("list", [v])
        if v.model is None and resp is not None and len(lst) > 1 and v in lst:
            named = systems.respective_systems(text, sent.start, lst[0].start, len(lst), avoid + [
                w.dataset_tag for w in values if w.dataset_tag is not None])
            if named:
                v.model = named[lst.index(v)]
        if v.model is None and found:
            v.model = systems.system_of(text, found, sent.start, v.start, avoid, own)
            if v.model is not None and fold(v.model) in fold(v.metric or ""):
                v.model = None  # "a System Usability Scale score of": what is measured
        if v.model is None and own is not None and own in text[sent.start:v.start]:
            v.model = own
        if v.role == "proposed" and v.kind == "absolute" and not v.from_to and found and (
                (v.model is not None and systems.third_party(v.model, tags.title))
                or ((v.model is None or systems.apposed(text, found, v.model))
                    and systems.evaluated_subject(text, found, sent.start, v.start))):
            v.role = "baseline"
        elif v.role == "proposed" and tags.own_dataset is not None and \
                v.dataset_tag is not None and v.dataset_tag.value == tags.own_dataset.value \
                and not own_method:
            # a benchmark paper ("FooBench: A Benchmark for ..."): what is measured on its
            # benchmark is what the systems it evaluates reach, not a method of its own
            v.role = "baseline"


_OWN_METHOD = regex.compile(r"(?i)\b(?:our|we\s(?:propose|introduce|present))\s(?:\w+[\s-]){0,3}?"
                            r"(?:method|approach|model|framework|agent|system|baseline|"
                            r"pipeline|technique|strategy|mitigation)s?\b")


_FORMER_LATTER = regex.compile(r"[^.;]{0,20}?\b(?:on|for|in|at)\s(?:the\s)?(?P<w>former|latter)\b")


def _listed_resolutions(text: str, v: _Value, first: Tag, tags: Tags) -> list[int]:
    """A resolution after a value and those listed after it ("1.13 at both 256x256 and
    512x512"): the value holds at each; a list of values is paired with them instead."""
    out = [int(first.value)]
    if len(v.groups.get("list", [v])) > 1:
        return out
    return out + _resolution_list(text, first, tags)


def _resolution_list(text: str, first: Tag, tags: Tags) -> list[int]:
    """The resolutions listed right after `first` ("256x256 and 512x512")."""
    out: list[int] = []
    last = first
    for r in tags.resolutions:
        if r.start > last.end and _RES_LIST_GAP.fullmatch(text, last.end, r.start):
            out.append(int(r.value))
            last = r
    return out


def _resolution_for(text: str, v: _Value, sent: Span, tags: Tags) -> int | None:
    lst = v.groups.get("list", [v])
    if len(lst) > 1:
        # "FID 2.0 and 2.9 at 256x256 and 512x512, respectively": one each, in order
        after = next((r for r in tags.resolutions if r.start >= lst[-1].end
                      and r.start - lst[-1].end <= 12
                      and _RES_AFTER.fullmatch(text, lst[-1].end, r.start)), None)
        if after is not None:
            listed = [int(after.value), *_resolution_list(text, after, tags)]
            if len(listed) == len(lst):
                return listed[next(k for k, w in enumerate(lst) if w is v)]
    pointer = _FORMER_LATTER.match(text, v.end, sent.end)
    if pointer is not None:
        # "on ImageNet 512x512 and 256x256, ... an FID of 2.27 on the latter"
        named = [r for r in tags.resolutions if _inside(r, sent) and r.end <= v.start]
        if len(named) >= 2:
            return int(named[-1 if pointer.group("w") == "latter" else -2].value)
    for r in tags.resolutions:
        if r.start >= v.end and r.start - v.end <= 12 and _RES_AFTER.fullmatch(
            text, v.end, r.start
        ):
            v.more_resolutions = _listed_resolutions(text, v, r, tags)[1:]
            return int(r.value)
        metric = next((m for m in tags.metrics if v.end < m.start and m.end < r.start), None)
        if r.start >= v.end and metric is not None and r.start - v.end <= 40 and \
                not text[v.end:metric.start].strip() and _RES_AFTER.fullmatch(
                    text, metric.end, r.start):
            v.more_resolutions = _listed_resolutions(text, v, r, tags)[1:]
            return int(r.value)  # "1.51 FID at 256x256"
    d = v.dataset_tag
    if d is not None:
        if d.extra and d.extra[1]:
            return int(d.extra[1])
        for r in tags.resolutions:
            if 0 <= r.start - d.end <= 4 or d.start <= r.start < d.end:
                return int(r.value)  # "ImageNet 256x256", "ImageNet 64x64" (a PwC name)
    in_sent = [r for r in tags.resolutions if _inside(r, sent)]
    if len({r.value for r in in_sent}) == 1 and d is None:
        return int(in_sent[0].value)
    return None


# Words before a metric name that say what is measured ("recommendation accuracy",
# "lesion-wise Dice", "rank-1 accuracy"): kept in the name. Descriptive words ("average",
# "high", "zero-shot") and words of the sentence ("the", "our") are not.
_MODIFIER = regex.compile(
    r"(?:[A-Za-z][a-z]*(?:-[a-z0-9]+)*-(?:wise|level|based|aware|specific)|[a-z]+-\d+|"
    r"[A-Za-z][a-z]{2,}(?:tion|sion|ence|ense|ual))$"
)
_WORD_START = regex.compile(r"(?<=\s)\S")
_WORD_AFTER_METRIC = regex.compile(r"\s(?P<w>[a-z]+)\b")
_MODIFIER_WORD_BEFORE = regex.compile(r"(?<![\w-])(?P<w>[\w][\w-]*)\s$")
_NOT_MODIFIERS = frozenset({"top-1", "top-5"})  # the only describing words `_MODIFIER` takes
# Words after a metric name that make it a change of the metric: any metric's "drop", a cost's
# "reduction" ("FLOPs reduction"; a "WER reduction" stays a WER).
_SUFFIX_WORDS = frozenset({"drop", "overhead", "degradation"})
_COST_SUFFIX_WORDS = frozenset({"reduction", "reductions", "savings"})


def _specific_metric(text: str, v: _Value, metrics: list[Tag]) -> str | None:
    """The metric as the text names it when a table name stands with a word that says what
    is measured: "rank-1 accuracy", "recommendation accuracy", "FLOPs reduction"."""
    own = [m for m in metrics if str(m.value) == v.metric and m.label != "phrase"]
    if not own:
        return None
    # The mention named right after the value ("20% in rotation accuracy") or after the last
    # value of its list ("89.1, 84.7 and 82.2 lesion-wise Dice"), else the nearest.
    last = v.groups.get("list", [v])[-1]
    m = next((t for t in own if t.start >= last.end and metric_after(text, last, [t]) is not None),
             None) or min(own, key=lambda t: min(abs(t.end - v.start), abs(t.start - v.end)))
    start, end = m.start, m.end
    table = resources.metrics().alias_to_metric
    if fold(text[start:end]) not in table:
        # A phrase named by its head ("recommendation accuracy" -> accuracy): the table's
        # spelling at its end, and the word before it only when it says what is measured.
        heads = [h.start() for h in _WORD_START.finditer(text, start, end)
                 if fold(text[h.start():end]) in table]
        if heads:
            start = heads[0]
    changed = False
    entry = resources.metrics().by_name.get(str(v.metric))
    w = _MODIFIER_WORD_BEFORE.search(text, max(0, start - 40), start)
    if w is not None:
        word = w.group("w")
        named = " ".join(entry.aliases).casefold() if entry is not None else ""
        if (word.lower() not in _NOT_MODIFIERS and _MODIFIER.match(word)
                and word.casefold() not in named):  # "reconstruction rFID" is rFID
            start, changed = w.start("w"), True
    nxt = _WORD_AFTER_METRIC.match(text, end, min(len(text), end + 20))
    suffixes = _SUFFIX_WORDS | (_COST_SUFFIX_WORDS if entry is not None and entry.relative_only
                                else frozenset())
    suffix = nxt if nxt is not None and nxt.group("w") in suffixes and \
        not m.start <= v.start < nxt.end() else None
    if suffix is not None:
        end, changed = suffix.end(), True
    if start > m.start or not changed:
        return None  # the phrase's other words describe it ("mean Dice score"): the table's name
    written, canonical = fold(text[m.start:m.end]), fold(str(v.metric))
    if suffix is None and ((written + " ").startswith(canonical + " ")
                           or LATEX_MARK.search(written)):
        # "lesion-wise Dice scores": the describing word and the table's name ("Dice"), as
        # for "evidence $F_1$" (F1 written in LaTeX)
        return f"{text[start:m.start]}{v.metric}"
    name = recognise.metric_name(text[start:end])
    return name if name != v.metric else None


# A relative change of a named metric is named with its direction, as the text states it:
# "reduces median latency by 73%" -> "latency reduction", "52.5% higher success rates" ->
# "success rate improvement", "increases tail latency by 97%" -> "latency increase".
_DIRECTION = (
    (regex.compile(r"(?i:reduc|decreas|lower|fewer|less|cut|drop|sav|shrink|smaller|cheaper|"
                   r"faster)"), "reduction"),
    (regex.compile(r"(?i:increas|rais|grow|more)"), "increase"),
    (regex.compile(r"(?i:degrad|wors)"), "degradation"),
    (regex.compile(r"(?i:improv|gain|boost|higher|better|enhanc|lift|outperform|surpass|exceed|"
                   r"advanc)"), "improvement"),
)
_COUNT_OF = regex.compile(r"^(?i:(?:the\s)?(?:number|amount|count)\s+of\s+)")
_CHANGE_NOUNS = frozenset({"reduction", "increase", "improvement", "degradation", "drop",
                           "overhead", "savings", "saving", "reductions", "gain"})
_UNNAMED_PHRASES = _UNNAMED | {"gain", "gains", "mean gain", "average gain",
                               "relative improvement", "performance improvement",
                               "absolute improvement", "performance gain", "average improvement"}


def _direction(text: str, v: _Value, cues: list[Tag], clause: Span,
               after_pos: int) -> str | None:
    """The direction of a change: a word right after the value ("24% lower", "a 498% gain"),
    else the nearest change word before the value and after `after_pos`."""
    last = v.groups.get("list", [v])[-1]
    for end in (v.end, last.end):
        after = _GAIN_AFTER.match(text, end)
        if after is not None:
            word = after.group().strip()
            return next((noun for rx, noun in _DIRECTION if rx.match(word)), None)
        if _MORE_AFTER.match(text, end):
            return "increase"  # "trained using 30x more compute"
    before = [c for c in cues if c.label in ("CUE:gain", "CUE:drop", "CUE:outperform")
              and max(clause.start, after_pos) <= c.start and c.end <= v.start
              and fold(text[c.start:c.end]) not in _WEAK_CUES]
    for c in reversed(before):
        word = text[c.start:c.end]
        noun = next((n for rx, n in _DIRECTION if rx.match(word)), None)
        if noun is not None:
            return noun
    return None


def change_name(text: str, v: _Value, metrics: list[Tag], cues: list[Tag],
                clause: Span, table_name: str | None = None) -> str | None:
    """The name of a relative change of a cost (a percentage or a factor): the metric as the
    text words it ("parameter", "training time") and the direction of the change ("15x fewer
    parameters" -> "parameter reduction"). A quality metric keeps its name ("improves CTR by
    2.81%") but for a factor its clause names it by ("a 2x improvement in Rigid Motion
    Consistency" -> "Rigid Motion Consistency improvement"); a speedup is a speedup.
    `table_name` is the table's metric when `v.metric` is the text's more specific name of it
    ("reduces verification tokens by 91.2%": the table's token count, a cost, named
    "verification token" -> "verification token reduction")."""
    if v.metric is None or not (v.kind == "relative" and v.unit == "%"
                                or v.kind in ("relative", "count") and v.unit == "x"):
        return None
    if v.metric in _UNNAMED_PHRASES:
        return "improvement"
    if v.metric in _UNNAMED or v.metric == "speedup" or \
            v.metric.rsplit(" ", 1)[-1] in _CHANGE_NOUNS:
        return None
    last = (v.groups.get("range") or v.groups.get("list") or [v])[-1]
    name = v.metric
    entry = resources.metrics().by_name.get(name) or resources.metrics().by_name.get(
        table_name or "")
    cost = entry is not None and entry.relative_only
    if cost and v.unit == "x" and _FACTOR_KEEPS_NAME.match(text, last.end):
        return None  # "500x fewer environment interactions", "a 100x reduction in the budget"
    own = [m for m in metrics if str(m.value) == name and m.label != "phrase"]
    m = min(own, key=lambda t: min(abs(t.end - v.start), abs(t.start - v.end))) if own else None
    if not cost and not (v.unit == "x" and any(
            str(t.value) == name and _inside(t, clause) for t in metrics)):
        # a quality metric's percentage change keeps its name ("improves CTR by 2.81%"); a
        # factor of a metric its clause names is named with its direction ("a 2x improvement
        # in Rigid Motion Consistency"), unless it refers back ("these scores mark a 3.5x ...")
        return None
    noun = _direction(text, v, cues, clause, 0)
    if noun is None:
        return None
    if cost and m is not None and _GAIN_AFTER.fullmatch(text, m.start, m.end) is None:
        # the text's words, unless the mention is a change word itself ("89% cheaper")
        words = _COUNT_OF.sub("", text[m.start:m.end]).split()  # "number of parameters"
        words[-1] = words[-1] if words[-1].isupper() or words[-1][-2:] == "Ps" else \
            recognise.singular(words[-1])
        name = " ".join(words)
    return f"{name} {noun}"


_CUTOFF = regex.compile(rf"@{resources.CUTOFF}(?!\w|\.\d)")  # "PCK@0.10." ends a sentence


def cutoff_of(text: str, m: Tag) -> str | None:
    """The cut-off a metric name is written with ("nDCG@10", "Hits@1", "precision@10"), or
    its range ("mAP@0.5:0.95", "AP@[0.5:0.95]" -> 0.5:0.95)."""
    at = text.rfind("@", m.start, m.end)
    c = _CUTOFF.match(text, at if at >= 0 else m.end)
    if c:
        return c.group("k")
    iou = _IOU_SUFFIX.search(text, m.start, m.end) if at < 0 else None
    return _IOU[iou.group(1)] if iou else None  # "AP50" is AP at IoU 0.5, not AP


_IOU_SUFFIX = regex.compile(r"(?<=AP)_?(50|75)$")
_IOU = {"50": "0.5", "75": "0.75"}


def at_cutoff(text: str, v: _Value, metrics: list[Tag]) -> str:
    """The value's metric with the cut-off its sentence writes it with: the table's NDCG
    read from "nDCG@10" is NDCG@10, Recall@k read from "Hits@1" is Recall@1 (the nearest
    mention of the metric decides). A name with a number of its own ("top-5 accuracy",
    "pass@1") stays as it is."""
    name = str(v.metric)
    if not resources.takes_cutoff(name):
        return name
    near = [m for m in metrics if m.value == name]
    if not near:
        return name
    m = _metric_right_after(v, near) or min(
        near, key=lambda t: abs(t.start - v.start))  # "40.1 AP, 58.2 AP50": the one after it
    k = cutoff_of(text, m)
    if k is None:
        return name
    return resources.with_cutoff(name, k)


def _learned_links(text: str, sent: Span, values: list[_Value], metrics: list[Tag],
                   tags: Tags) -> None:
    """A change the rules could not name ("improvement") takes the metric phrase the learned
    tagger reads for it (`recognise`), when it is sure."""
    unnamed = [v for v in values if v.metric in _UNNAMED]
    if not unnamed or recognise.tagger() is None:
        return
    words = recognise.sentence_of(text, sent.start, sent.end, tags)
    for v in unnamed:
        vs, ve = v.tag.extra
        first = find_digit(text, vs, ve)
        rule_spans = [(m.start, m.end) for m in metrics if str(m.value) == v.metric]
        phrase = recognise.link(text, words, first, rule_spans)
        if phrase is not None:
            v.metric = recognise.metric_name(phrase)


def build_results(paper_id: str, text: str, sentences: list[Span], tags: Tags,
                  blocked: list[Tag]) -> list[Result]:
    """Every result claim of one abstract."""
    results: list[Result] = []
    seen: set[tuple[object, ...]] = set()
    ctx = _Context()
    ml_context: bool | None = None
    # Metrics named by a phrase the table lacks ("overall score"): results only in ML text.
    phrase_metrics = {str(m.value) for m in tags.metrics if m.label == "phrase"}
    own_system = systems.title_system(tags.title) if tags.title else None
    own_task: str | None = None
    asked_paper_task = False
    block_all = (blocked + tags.resolutions + tags.steps + tags.datasets + tags.metrics
                 + [s for s in tags.settings if s.label == "SETTING:k-shot"])
    carried: tuple[int, list[Tag]] = (-1, [])
    for sent in sentences:
        if not _DIGIT.search(text, sent.start, sent.end):
            continue
        values = candidate_values(text, sent, tags, block_all)
        if not values:
            continue
        asides = _signed_asides(text, values)
        aside_ids = {id(a) for a in asides.values()}
        values = [v for v in values if id(v) not in aside_ids]
        cues = sentence_tags(tags, "cues", text, sent.start, sent.end)
        metrics = [m for m in tags.metrics if _inside(m, sent)]
        dtags = [d for d in tags.datasets if _inside(d, sent)]
        anaphora = any(c.label == "CUE:anaphora" for c in cues)
        resp = next((c for c in cues if c.label == "CUE:resp"), None)
        clauses = split_clauses(text, sent)
        metrics = [m for m in metrics if not any(
            d.start == m.start and d.end == m.end for d in dtags)]
        _list_groups(text, values, metrics)
        firsts = {c: min((w.start for w in values if _inside(w.tag, c)), default=c.end)
                  for c in clauses}
        if len(metrics) > 1 and len(values) > 1:
            _respective_metrics(text, values, metrics)
        after = {id(v): metric_after(text, v, metrics, dtags) for v in values}
        if len(metrics) > 1 and len(values) > 1 and not any(after.values()):
            _metric_lists(text, values, metrics)
        for v in values:
            if v.metric is None and after[id(v)] is None:
                grp = v.groups.get("pair", [v])
                after[id(v)] = next(
                    (after[id(w)] for w in reversed(grp) if after[id(w)] is not None), None)
            if v.metric is None:
                v.metric = after[id(v)]
        for v in values:
            clause = _clause_of(clauses, v.start)
            in_from_to = v.from_to = v.from_to or assign_role(
                text, clause, v, firsts[clause], cues)
            v.metric = assign_metric(text, sent, v, metrics, ctx, anaphora, cues, in_from_to)
            if v.metric is None:
                v.metric = usual_metric_of(text, v, dtags, cues)
                v.usual = v.metric is not None
        _share_usual_metric(values)
        values = [v for v in values if v.metric is not None]
        if not values:
            continue
        _align_compared_units(values)
        mt = resources.metrics()
        if ml_context is None and tags.datasets:
            ml_context = True
        if ml_context is None and any(
                mt.by_name[str(v.metric)].needs_ml_context if v.metric in mt.by_name
                else v.metric in phrase_metrics for v in values):
            ml_context = resources.patterns("context").search(text)
        if ml_context is False:
            values = [v for v in values if not (
                mt.by_name[str(v.metric)].needs_ml_context if v.metric in mt.by_name
                else v.metric in phrase_metrics)]
        kept: list[_Value] = []
        for v in values:
            entry = mt.by_name.get(v.metric or "")
            if entry is not None and v.unit is None:
                if entry.unit == "x":
                    v.unit = "x"
                elif entry.relative_only and not (
                        v.metric in _UNNAMED and _PLAIN_GAIN.match(text, v.end)):
                    continue  # a cost named without a unit; but "an 18.8 improvement on D"
            kept.append(v)
        values = kept
        sticky: dict[tuple[int, str | None], bool] = {}
        for v in values:
            assign_kind(text, v, cues, metrics)
            # "by 4.5% on A, 5.8% on B and 4.1% on C": later values of the clause share "by".
            skey = (_clause_of(clauses, v.start).start, v.unit)
            if v.unit == "%" and v.role == "proposed":
                if v.kind == "relative":
                    sticky[skey] = True
                elif sticky.get(skey):
                    v.kind = "relative"
            entry = mt.by_name.get(v.metric or "")
            if entry is not None and v.kind == "absolute" and v.unit != "x":
                lo, hi = entry.min, entry.max
                if (lo is not None and v.value < lo) or (hi is not None and v.value > hi):
                    v.metric = None
                    continue
            if v.kind != "absolute":
                v.role = "proposed"
        values = [v for v in values if v.metric is not None]
        if not values:
            continue
        before = sentence_before(text, sent) if resp is not None or (
            len(values) > 1 and not dtags) else None
        prev_datasets = _distinct([d for d in tags.datasets if _inside(d, before)]) \
            if before is not None else []
        if before is not None and not prev_datasets and carried[0] == before.start:
            prev_datasets = carried[1]  # the list the sentence before was aligned to
        assign_datasets(text, sent, clauses, values, dtags, tags, ctx, anaphora, resp,
                        prev_datasets)
        aligned = [v.dataset_tag for v in values if v.dataset_tag is not None]
        carried = (sent.start, aligned) if not dtags and len(values) > 1 and len(
            _distinct(aligned)) == len(values) else (-1, [])
        steps_tags = [s for s in tags.steps if _inside(s, sent) and s.label == "steps"]
        settings = [s for s in tags.settings if _inside(s, sent) and s.label != "SETTING:k-shot"]
        table_names: list[str | None] = []
        for v in values:
            specific = _specific_metric(text, v, metrics)
            table_names.append(v.metric if specific else None)
            v.metric = specific or v.metric
        _learned_links(text, sent, values, metrics, tags)
        for v, table_name in zip(values, table_names, strict=True):
            v.metric = change_name(text, v, metrics, cues, _clause_of(clauses, v.start),
                                   table_name) or v.metric
        assign_systems(text, sent, values, dtags + metrics, tags, own_system, resp)
        values = _with_asides(values, asides)
        for v in values:
            v.dataset = str(v.dataset_tag.value) if v.dataset_tag is not None else None
            v.resolution = _resolution_for(text, v, sent, tags)
            if steps_tags:
                if v.role == "baseline":
                    later = [s for s in steps_tags if s.start >= v.end]
                    v.steps = int((later or steps_tags)[0].value)
                else:
                    own = [s for s in steps_tags if not any(
                        c.label in ("CUE:vs", "CUE:than") and 0 <= s.start - c.end <= 12
                        for c in cues)]
                    prev = [s for s in own if s.end <= v.start]
                    v.steps = int((prev[-1:] or own or steps_tags)[0].value)
            elif anaphora:
                v.steps = ctx.steps
            prior = [s for s in settings if s.end <= v.start]
            if prior:
                v.setting = str(prior[-1].value)
            elif settings:
                v.setting = str(settings[0].value)
            elif anaphora:
                v.setting = ctx.setting
            for dataset, resolution in [
                    (d, r) for d in [v.dataset, *(str(t.value) for t in v.extra_datasets)]
                    for r in [v.resolution, *v.more_resolutions]]:
                key = (v.metric, v.value, v.unit, dataset, v.role, resolution, v.start)
                if key in seen:
                    continue
                seen.add(key)
                # The taxonomy by dataset (and metric) or by a metric that nearly always
                # means one task; else the paper's task, read from its words, when sure of
                # it; else the metric's most common task (mIoU: semantic segmentation, 38%).
                task = task_of(dataset, str(v.metric)) if dataset else \
                    sure_metric_task(str(v.metric))
                if task is None:
                    if not asked_paper_task:
                        own_task, asked_paper_task = paper_task(tags.title, text), True
                    task = own_task or task_of(dataset, str(v.metric))
                results.append(Result(
                    paper_id=paper_id, metric=at_cutoff(text, v, metrics), value=v.value,
                    unit=v.unit,
                    kind=v.kind,  # type: ignore[arg-type]
                    dataset=dataset, resolution=resolution,
                    role=v.role,  # type: ignore[arg-type]
                    steps=v.steps, setting=v.setting, evidence=text[sent.start:sent.end],
                    start=sent.start, end=sent.end, model=v.model,
                    task=task,
                ))
        named = [v.metric for v in values if v.metric not in ("improvement", "speedup")]
        ctx = _Context(
            metric=named[0] if named else ctx.metric,
            datasets=_distinct([v.dataset_tag for v in values if v.dataset_tag is not None])
            or _distinct(dtags) or (ctx.datasets if anaphora else []),
            steps=next((v.steps for v in values if v.steps is not None), None),
            setting=next((v.setting for v in values if v.setting is not None), None),
            by_metric={str(v.metric): v.dataset_tag for v in reversed(values)
                       if v.dataset_tag is not None},
        )
    return _name_changes_by_dataset(results)


def _name_changes_by_dataset(results: list[Result]) -> list[Result]:
    """An unnamed change on a dataset ("an absolute improvement of 16.68% in FER2013") is a
    change of the metric the abstract reports as a level on that dataset, before or after
    it ("accuracies of 96.47% on FER2013"), when that is one metric."""
    levels: dict[str, set[str]] = {}
    for p in results:
        if p.dataset is not None and p.kind == "absolute" and p.metric not in _UNNAMED:
            levels.setdefault(p.dataset, set()).add(p.metric)
    out: list[Result] = []
    for r in results:
        named = levels.get(r.dataset, set()) if r.dataset is not None else set()
        if r.metric in _UNNAMED and len(named) == 1:
            metric = next(iter(named))
            r = replace(r, metric=metric, task=task_of(r.dataset, metric) or r.task)
        out.append(r)
    return out
