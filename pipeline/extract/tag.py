"""Tag spans of an abstract from the data files: datasets, metrics, numbers, resolutions,
step counts, settings, comparison cues and non-result contexts.

Tagging is generic and position-based; `claims.py` turns tags into results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

import regex

from pipeline.extract import resources
from pipeline.extract.resources import fold
from pipeline.extract.segment import find_digit

# Side lengths a numeric dataset-name suffix may state ("ImageNet-64", "CelebA-HQ-128").
_NAME_RESOLUTIONS = frozenset(
    {16, 28, 32, 48, 64, 96, 128, 160, 192, 224, 256, 288, 320, 384, 448, 512, 576, 640,
     768, 896, 1024, 1536, 2048, 4096}
)
_SUFFIX = regex.compile(
    r"(?:-|\s)?(?P<a>\d{2,4})(?![\w%×]|\.\d|\s?[×xX]\s?\d|\s(?:classes|categories))"
)
_SUFFIX_PAIR = regex.compile(
    r"(?P<a>\d{2,4})\s?(?:[×xX]|times)\s?(?P<b>\d{2,4})(?![\w%]|\.\d)"
)
"""A square side pair glued to a name ("ImageNet256x256", arXiv's "ImageNet256times 256")."""
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
    """Filled sentence by sentence, where needed (`sentence_tags`)."""
    skips: list[Tag] = field(default_factory=list)
    models: list[Tag] = field(default_factory=list)
    """Filled sentence by sentence, where needed (`sentence_tags`)."""
    own_dataset: Tag | None = None
    """First mention of the dataset the title announces (a benchmark paper's own)."""
    title: str = ""


def _wordchar(c: str) -> bool:
    return c.isalnum() or c == "_"


def _standalone(text: str, name: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where `name` stands in text[start:end] as a word of its own: no word character before
    it, no word character or hyphen after it ("BURST" but not "BURST-2")."""
    stop = len(text) if end is None else end
    out: list[int] = []
    pos = text.find(name, start, stop)
    while pos >= 0:
        after = pos + len(name)
        if (pos == 0 or not _wordchar(text[pos - 1])) and (
                after >= len(text) or not (_wordchar(text[after]) or text[after] == "-")):
            out.append(pos)
        pos = text.find(name, after, stop)
    return out


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


def tag_datasets(text: str, title: str = "") -> list[Tag]:
    """Gazetteer datasets (longest match on token boundaries, list expansion, name-encoded
    resolutions, longer names built on a known one: "MME-RealWorld", "PersonaMem-32K"), then
    datasets introduced by the text ("the FooBar dataset") or by the title ("FooBench: A
    Benchmark for ..."), then the context rules of ambiguous entries."""
    g = resources.datasets()
    entries = g.entries
    st = resources.text_state(text)
    n = len(text)
    cands: list[tuple[int, int, Any]] = []
    matcher, indexed = _dataset_pass(g)
    values = matcher.values
    positions: dict[str, list[int]] = {}
    hits = st.kept.get("dataset_hits")
    for key, start, end in hits if hits is not None else matcher.find(st.low):
        vals, lit = values[key]
        if lit is not None:
            # A string the dataset-intro scans look up: recorded in the same pass.
            positions.setdefault(lit, []).append(start)
            if vals is None:
                continue
        for idx, surface in vals:
            start = end - len(surface)
            if start > 0:
                c = text[start - 1]
                if c.isalnum() or c == "_":
                    continue
            entry = entries[idx]
            if entry.case == "exact" and text[start:end] != surface:
                continue
            written = text[start:end]
            if " " in written and written.islower() and not surface[1:].islower():
                # words in lower case are words: "in 100" is not IN-100, "genomic benchmarks"
                # not Genomic Benchmarks (but "cifar10" is CIFAR-10)
                continue
            if end < n:
                c = text[end]
                if (c.isalnum() or c == "_") and not (c.isdigit() and (
                        entry.suffix == "resolution" or _glued_digits(text, end, entry))):
                    continue
            cands.append((start, end, idx))
    tags: list[Tag] = []
    needs_context: set[int] = set()
    taken_until = -1
    families = _families(g)
    for start, end, idx in _greedy(cands) if cands else ():
        if start < taken_until:
            continue
        entry = entries[idx]
        res: int | None = None
        if entry.suffix == "resolution":
            m = _SUFFIX_PAIR.match(text, end)
            if m is None or m.group("a") != m.group("b"):
                m = _SUFFIX.match(text, end)
            if m and int(m.group("a")) in _NAME_RESOLUTIONS:
                res = int(m.group("a"))
                end = m.end()
            elif end < n and _wordchar(text[end]) and not _glued_digits(text, end, entry):
                continue
        value: str = entry.name
        label = "gazetteer"
        pre = _NAME_PREFIX.search(text, max(0, start - 12), start) if start > 1 else None
        if pre is not None and pre.group()[1:2].islower() and (
                entry.context != "any" or entry.context_blocklist):
            pre = None  # "Pangu-Weather": a word before a name that needs its context
        if pre is not None and (res is not None or _longer_name(text, end, entry) is None):
            # "FL-MedSegBench", "Multi-LCB": a prefix glued before a known name makes another
            # name
            start = pre.start()
            full = text[start:end]
            hit = known_entry(g, full)
            value = entries[hit].name if hit is not None else full
            label = "gazetteer" if hit is not None else "extended"
            tags.append(Tag(start, end, "DATASET", label, value, (hit is not None, res)))
            taken_until = end
            continue
        if res is None:
            longer = _longer_name(text, end, entry)
            if longer is not None:
                end = longer
                full = text[start:end]
                hit = known_entry(g, full)
                value = entries[hit].name if hit is not None else full
                label = "gazetteer" if hit is not None else "extended"
        if label == "gazetteer" and (entry.context != "any" or entry.context_blocklist):
            needs_context.add(start)
        tags.append(Tag(start, end, "DATASET", label, value, (label == "gazetteer", res)))
        taken_until = end
        # List forms of a family: "CIFAR-10, -20, -100", "LSUN Church & Bedroom".
        family = families[idx]
        if family is not None:
            prefix, joiner = family
            pos = end
            while True:
                m = _LIST_NEXT.match(text, pos)
                if not m:
                    break
                tok = m.group("tok").rstrip(".")
                bare = tok.lstrip("-")
                hit_entry = None
                for cand in (prefix + joiner + bare, prefix + " " + bare, prefix + bare):
                    if fold(cand) in g.by_key:
                        hit_entry = entries[g.by_key[fold(cand)]]
                        break
                if hit_entry is None:
                    break
                t_start = m.start("tok")
                t_end = t_start + len(tok)
                tags.append(Tag(t_start, t_end, "DATASET", "family", hit_entry.name,
                                (True, None)))
                pos = t_end
                taken_until = max(taken_until, t_end)
    resources.set_literal_index(text, indexed, positions)
    tags.extend(_intro_datasets(text, tags))
    tags.extend(_title_datasets(text, title, tags))
    if tags:
        tags.extend(_listed_with_values(text, tags))
        tags.extend(_listed_with_known(text, tags))
        tags.extend(_coordinated_with_known(text, tags))
    tags.sort(key=lambda t: t.start)
    if needs_context:
        tags = _apply_context_rules(text, tags, needs_context)
    return tags


def known_entry(g: resources.DatasetGazetteer, name: str) -> int | None:
    """The gazetteer entry a name found in the text spells, exactly or in another spelling
    ("ACE2005" for "ACE 2005", "InShop" for "In-Shop"), or None."""
    hit = g.by_key.get(fold(name))
    return hit if hit is not None else g.by_spelling.get(resources.spelling(name))


def name_tag(start: int, end: int, name: str, label: str) -> Tag:
    """The DATASET tag of a name a rule found as written (`label`: intro, respectively),
    named as the gazetteer names it when the name is another spelling of an entry's."""
    g = resources.datasets()
    hit = known_entry(g, name)
    value = g.entries[hit].name if hit is not None else name
    return Tag(start, end, "DATASET", label, value, (hit is not None, None))


_pass_cache: dict[int, tuple[Any, resources.Matcher, frozenset[str]]] = {}


def _dataset_pass(g: Any) -> tuple[resources.Matcher, frozenset[str]]:
    """A matcher of the gazetteer's folded spellings (value: (their (entry, surface) pairs,
    None)) and of the strings the dataset-intro scans look up (value: (.., the string)), so
    that one pass over the text serves both; and the set of those strings."""
    hit = _pass_cache.get(id(g))
    if hit is None or hit[0] is not g:
        indexed = resources.whole_text_literals(("dataset_intro",))
        keys: dict[str, tuple[Any, str | None]] = {k: (v, None) for k, v in g.automaton.items()}
        for lit in indexed:
            keys[lit] = (keys.get(lit, (None, None))[0], lit)
        hit = _pass_cache[id(g)] = (g, resources.Matcher(keys), indexed)
    return hit[1], hit[2]


def keep_dataset_hits(texts: list[str]) -> None:
    """The gazetteer pass of `tag_datasets` over each of a batch's texts, back to back
    (kept in the texts' `resources.kept_states`): the automaton is a few MB, so one text
    at a time between other work it is read from memory rather than cache (~2.5x)."""
    matcher, _ = _dataset_pass(resources.datasets())
    for text in texts:
        st = resources.text_state(text)
        st.kept["dataset_hits"] = matcher.find(st.low)


_family_cache: dict[int, tuple[Any, list[tuple[str, str] | None]]] = {}


def _families(g: Any) -> list[tuple[str, str] | None]:
    """Per gazetteer entry: the first family (prefix, joiner) its name starts with."""
    hit = _family_cache.get(id(g))
    if hit is None or hit[0] is not g:
        fams = [next(((p, j) for p, j in g.families if fold(e.name).startswith(fold(p))), None)
                for e in g.entries]
        hit = _family_cache[id(g)] = (g, fams)
    return hit[1]


# A known name continued by "-Token" parts that start with a capital or a digit
# ("MME-RealWorld", "NQ-Swap", "PersonaMem-32K", "WebSight-Test"); "-style", "-based" are not.
_CONTINUATION = regex.compile(r"(?:-[A-Z0-9][A-Za-z0-9]*(?:\.\d+)?)+")
_GLUED = regex.compile(r"\d{1,4}(?![\w])")
_YEAR_OR_RES = regex.compile(r"-(?:19|20)\d\d$|-\d+[xX×]\d+$")


def _glued_digits(text: str, end: int, entry: Any) -> bool:
    """Digits glued to a letter-final name ("RoboCasa365"), for names with no numeric suffix
    rule."""
    return (entry.suffix == "none" and entry.name[-1:].isalpha()
            and _GLUED.match(text, end) is not None)


_NAME_PREFIX = regex.compile(r"(?<![\w.-])(?:[A-Z][A-Z0-9]{0,5}|[A-Z][a-z]{2,9})-$")
"""An acronym or a capitalised word and a hyphen right before a gazetteer name ("FL-" of
"FL-MedSegBench", "Multi-" of "Multi-LCB")."""


def _longer_name(text: str, end: int, entry: Any) -> int | None:
    """End of a longer name that continues a gazetteer match, or None."""
    n = len(text)
    if end < n and text[end].isdigit():
        m = _GLUED.match(text, end)
        return m.end() if m is not None and _glued_digits(text, end, entry) else None
    m = _CONTINUATION.match(text, end)
    if m is None:
        return None
    stop = m.end()
    if stop < n and (_wordchar(text[stop]) or text[stop] in "*+"):
        return None
    cont = text[end:stop]
    if _YEAR_OR_RES.search(cont):
        return None
    if entry.suffix != "none" and cont[1:2].isdigit():
        return None  # "ImageNet-64", "CIFAR-10-100": resolutions and class counts
    return stop


_CTX_BEFORE = regex.compile(
    r"(?:\b(?:on|across|over|benchmarks?|datasets?|suites?|including|evaluated on|tested on|"
    r"namely)"
    r"\s(?:the\s)?|\b(?:Challenge|Dataset|Benchmark|Corpus|Database)\s?\()$"
)
"""Before a name: "on GQA", "the DeepFake Detection Challenge (DFDC"."""
_CTX_BEFORE_LIST = regex.compile(
    r"\b(?:on|across|over|including|namely)\s(?:the\s)?"
    r"(?:[\p{Lu}\d][\w.'’+-]*(?:\s[\p{Lu}\d][\w.'’+-]*){0,2},\s(?:and\s|or\s)?){1,6}$"
)
"""Before a later item of a list of names after "on": "on Expresso, IEMOCAP"."""
_CTX_AFTER = regex.compile(
    r"\)?\s?(?:benchmarks?|datasets?|database|corpus|leaderboard|test[- ]?set|test-dev|"
    r"split)\b", regex.IGNORECASE
)
"""After a name: "GQA benchmark", "(MCubeS) dataset", "CityFlow testset"."""
_LIST_GAP = regex.compile(r"\s?(?:,\s?(?:and\s|or\s)?|\s(?:and|or|&)\s|/)\s?")
_VALUE_GAP = regex.compile(r"\s?\([^()]{1,24}\)" + _LIST_GAP.pattern)
"""Between two items of "CIFAR-100 (91.7%), Flowers (98.8%)": the first one's value."""


_by_name_cache: dict[int, tuple[Any, dict[str, Any]]] = {}


def _entries_by_name(g: Any) -> dict[str, Any]:
    """Name -> entry (the last entry of a name, as a dict built in file order keeps)."""
    hit = _by_name_cache.get(id(g))
    if hit is None or hit[0] is not g:
        hit = _by_name_cache[id(g)] = (g, {e.name: e for e in g.entries})
    return hit[1]


def _apply_context_rules(text: str, tags: list[Tag], needs: set[int]) -> list[Tag]:
    """Drop ambiguous names (entry `context: dataset` or `context_blocklist`) used in their
    other sense: kept when written as a dataset ("on GQA", "GQA benchmark") or listed next
    to a dataset that is kept."""
    entries = _entries_by_name(resources.datasets())
    ok: dict[int, bool] = {}
    blocked: set[int] = set()
    for i, t in enumerate(tags):
        if t.start not in needs:
            ok[i] = True
            continue
        e = entries.get(str(t.value))
        if e is not None and e.context_blocklist:
            window = fold(text[max(0, t.start - 100):t.end + 100])
            if any(b in window for b in e.context_blocklist):
                ok[i] = False
                blocked.add(i)
                continue
        if e is None or e.context == "any":
            ok[i] = True
            continue
        before = text[max(0, t.start - 30):t.start]
        ok[i] = bool(_CTX_BEFORE.search(before) or _CTX_AFTER.match(text, t.end)
                     or _CTX_BEFORE_LIST.search(text[max(0, t.start - 160):t.start]))
    changed = True
    while changed:
        changed = False
        for i, t in enumerate(tags):
            if ok[i] or i in blocked:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(tags) and ok[j]:
                    a, b = (tags[j], t) if j < i else (t, tags[j])
                    if _LIST_GAP.fullmatch(text, a.end, b.start) or \
                            _VALUE_GAP.fullmatch(text, a.end, b.start):
                        ok[i] = changed = True
                        break
    return [t for i, t in enumerate(tags) if ok[i]]


# Words that start model names: a capitalised name after "benchmark" is a dataset unless it is
# one of these (as a whole word: "ViT-B/16", "Llama3", not "VitaBench").
_ARCHITECTURES = r"T5|BERT|RoBERTa|ViT|ResNet|U-?Net|nnU-?Net|YOLO"
"""Architectures a paper trains its own method on (`ARCHITECTURE`)."""
MODEL_FAMILY = regex.compile(
    r"(?i:GPT|Llama|LLaMA|Qwen|Claude|Gemini|Gemma|Mistral|Mixtral|DeepSeek|Phi-|PaLM|"
    r"o[134]\b|o[134]-|CLIP|SigLIP|InternVL|LLaVA|Vicuna|Falcon|OLMo|"
    r"Yi-|Kimi|GLM|ChatGLM|Grok|SDXL|Stable Diffusion|DALL|Imagen|Sora|Flux|"
    rf"{_ARCHITECTURES})"
    r"(?![a-z])"  # a whole family word: not "VitaBench", "ImageNet", "Clipart"
)
ARCHITECTURE = regex.compile(rf"(?i:{_ARCHITECTURES})(?![a-z])")
"""The model families that are architectures ("a vanilla ViT-Huge model achieves ..."): a
number credited to one is the paper's own, not a third party's."""


def _proper_word(name: str) -> bool:
    """One capitalised word that is no common or language word: written inside a sentence
    right before "dataset" ("on the Wisconsin dataset", "the Severstal steel defect
    dataset"), a proper name."""
    return name.isalpha() and name[0].isupper() and name[1:].islower() and len(name) > 3 \
        and name.lower() not in _NOT_NAMES and name.lower() not in _LANGUAGES


_LANGUAGES = frozenset(
    """arabic bengali chinese czech danish dutch english finnish french german greek hebrew
    hindi hungarian indonesian italian japanese korean malay norwegian persian polish
    portuguese romanian russian spanish swahili swedish tamil thai turkish ukrainian urdu
    vietnamese multilingual""".split()
)


def looks_like_name(name: str) -> bool:
    first = name.split()[0].lower()
    if first in _NOT_NAMES:
        return False
    core = name.replace(" ", "")
    upper = sum(1 for c in core if c.isupper())
    return upper >= 2 or any(c.isdigit() for c in core) or "-" in core[1:] or "." in core[1:]


LIST_SPLIT = regex.compile(r",\s(?:and\s|or\s)?|\s(?:and|or)\s")


_WHOLE_NAME_LISTS = frozenset({"list_then_datasets", "datasets_then_list"})
"""`dataset_intro` patterns whose list items are whole names of up to three words."""


_MACRO_INTRO = r"(?i:introduce|propose|present|call|dub|term|name)[sd]?\s(?:(?:a|an|the)\s)?\\"
"""Before a LaTeX macro that names the paper's own method ("We introduce \\sevra")."""


def _intro_datasets(text: str, known: list[Tag]) -> list[Tag]:
    g = resources.datasets()
    out: list[Tag] = []
    for pid, label, m in scan("dataset_intro", text):
        if label == "DSINTRO_LIST":
            spans = _list_items(m)
        elif label == "DSINTRO_MACRO":
            # "On \\mathfive, ..." (an abstract with its LaTeX macros left in): the macro
            # names the dataset, unless the text introduces it as its own method.
            name = m.group("name")
            if not any(t.start < m.end() and m.start("name") - 1 < t.end for t in known) and \
                    not regex.search(_MACRO_INTRO + regex.escape(name) + r"\b", text):
                out.append(Tag(m.start("name") - 1, m.end(), "DATASET", "macro", name,
                               (False, None)))
            continue
        else:
            spans = [m.span("name")]
        for s, e in spans:
            name = text[s:e].split(". ", 1)[0].rstrip(".'")  # a list's last item ends there
            if not name or MODEL_FAMILY.match(name):
                continue
            e = s + len(name)
            if any(t.start < e and s < t.end for t in known + out):
                continue
            if fold(name) in g.by_key:
                # the gazetteer's name in another case ("the Visdrone dataset")
                out.append(name_tag(s, e, name, "intro"))
                continue
            # A list of whole names tied to the word "datasets" vouches for a plain
            # capitalised name ("on the Qorva and ZKRS Vexin datasets"); elsewhere the name
            # needs its shape.
            if not (looks_like_name(name) or (
                    pid in _WHOLE_NAME_LISTS and name.split()[0].lower() not in _NOT_NAMES)
                    or (pid == "the_x_dataset" and _proper_word(name))):
                continue
            out.append(name_tag(s, e, name, "intro"))
    return out


_VALUE_ON_NAME = regex.compile(
    r"(?<![\w.])\d+(?:\.\d+)?\s?(?:%|percent|points?|pp)?"
    r"(?:\s?\([+\-\u2212]\s?\d+(?:\.\d+)?\s?(?:%|points?|pp)?\))?\s(?:on|for)\s(?:the\s)?"
    r"(?P<name>(?=\d*[A-Z])[A-Z0-9][\w.+-]*(?:\s(?:of\s)?[A-Z0-9][\w.+-]*){0,3})"
    r"(?=\s?[,;.]|\s(?:and|or)\s|\s(?:datasets?|benchmarks?)\b|$)"
)
"""One item of "97.6% on Pavia University, 96.9% on the University of Houston, ...", the
value's change in brackets allowed ("66.49% (+4.9%) on ACE05")."""


def _listed_with_values(text: str, known: list[Tag]) -> list[Tag]:
    """The names in a list of values each stated on a name ("16.8 percent on HotpotQA, 14.3
    percent on 2WikiMultihopQA, and 19.2 percent on MeetingBank"), or each followed by its
    value ("CIFAR-100 (91.7%), Flowers (98.8%)", "USMLE: 60.2%, MedMCQA: 62.7%"), that the
    gazetteer does not know, when it knows another name of the same list: datasets too."""
    out: list[Tag] = []
    if " on " in text or " for " in text:
        out.extend(_listed_names(text, list(_VALUE_ON_NAME.finditer(text)), known))
    for after_name, items in _NAME_THEN_VALUE:
        if any(after_name.match(text, t.end) for t in known):
            out.extend(_listed_names(text, list(items.finditer(text)), known))
    return out


COLON_VALUE = regex.compile(r"\s?:\s?\d")
"""After a name: a colon and its value ("USMLE: 60.2%")."""
_BRACKETED_VALUE = regex.compile(r"\s?\(\s?\d")
"""After a name: its value in brackets ("Flowers (98.8%)")."""
_LISTED_NAME = r"(?<![\w.-])(?P<name>(?=\d*[A-Z])[A-Z0-9][\w.+-]*(?:\s[A-Z0-9][\w.+-]*){0,2})"
_NAME_THEN_VALUE = (
    # "CIFAR-100 (91.7%), Flowers (98.8%), and ...": a name, its value in brackets
    (_BRACKETED_VALUE, regex.compile(
        _LISTED_NAME + r"\s?\(\s?\d+(?:\.\d+)?\s?(?:%|pp|points?|[A-Za-z@\d.-]{1,12})?\s?\)")),
    # "USMLE: 60.2%, MedMCQA: 62.7% and PubMedQA: 78.2%": a name, a colon, its value
    (COLON_VALUE, regex.compile(_LISTED_NAME + r"\s?:\s?\d+(?:\.\d+)?\s?(?:%|pp|points?)?")),
)
"""The "Name then value" lists: what follows a known name when its list can be one (only
then is the list looked for), and one item of such a list."""


def _listed_names(text: str, items: list[Any], known: list[Tag]) -> list[Tag]:
    """The unknown names of a list of `items` (matches with a `name` group, joined by list
    gaps) that holds a known dataset."""
    out: list[Tag] = []
    group: list[Any] = []
    for m in [*items, None]:
        if m is not None and group and _LIST_GAP.fullmatch(text, group[-1].end(), m.start()):
            group.append(m)
            continue
        if len(group) > 1:
            out.extend(_unknown_items(text, [g.span("name") for g in group], known,
                                      lambda n: n.split()[0].lower() not in _NOT_NAMES))
        group = [m] if m is not None else []
    return out


def _unknown_items(text: str, spans: list[tuple[int, int]], known: list[Tag],
                   shaped: Callable[[str], bool]) -> list[Tag]:
    """The items of one list (`spans`) that no tag of `known` covers, when a tag covers
    another item: datasets too, if `shaped` accepts them and they start no model family."""
    hit = [any(t.start < e and s < t.end for t in known) for s, e in spans]
    if not any(hit):
        return []
    out: list[Tag] = []
    for (s, e), h in zip(spans, hit, strict=True):
        name = text[s:e].rstrip(".")
        pair = None if h else _elided_pair(text, s, name, known)
        if pair is not None:
            out.append(name_tag(s, s + len(name), pair, "listed"))
        elif not h and not MODEL_FAMILY.match(name) and shaped(name):
            out.append(name_tag(s, s + len(name), name, "listed"))
    return out


_PAIR_ITEM = (r"(?:[A-Z][a-z]+(?:-to-|-|–|→|->|\sto\s)[A-Z][a-z]+"  # "English-to-French"
              r"|[A-Z][A-Za-z](?:-|–|→|->)[A-Z][A-Za-z])")  # "En-Fr"
_PAIR_ONLY = regex.compile(_PAIR_ITEM)
_PAIR_TAIL = regex.compile(r"\s" + _PAIR_ITEM + r"$")


def _elided_pair(text: str, start: int, name: str, known: list[Tag]) -> str | None:
    """"WMT 2014 English-to-German and English-to-French": a language pair listed after a
    translation benchmark written with its corpus and year is that corpus and year's
    benchmark of the pair, when the gazetteer has it."""
    if _PAIR_ONLY.fullmatch(name) is None:
        return None
    before = [t for t in known if t.end <= start]
    if not before:
        return None
    t = max(before, key=lambda k: k.end)
    tail = _PAIR_TAIL.search(text, t.start, t.end)
    if tail is None:
        return None
    full = text[t.start:tail.start()] + " " + name
    return full if known_entry(resources.datasets(), full) is not None else None


_ITEM = r"[A-Z][\w.+-]*(?:\s[A-Z0-9][\w.+-]*){0,2}"
_NAME_LIST = regex.compile(
    r"\b(?:on|in|across|over)\s(?:the\s)?(?P<list>" + _ITEM
    + r"(?:(?:" + LIST_SPLIT.pattern + ")" + _ITEM + r")+)(?!\s?[=:]|[(\w-])")


def _list_items(m: Any) -> list[tuple[int, int]]:
    """(start, end) of each item of a match's `list` group, split at `LIST_SPLIT`."""
    base = m.start("list")
    body = m.group("list")
    items: list[tuple[int, int]] = []
    pos = 0
    for sep in LIST_SPLIT.finditer(body):
        items.append((base + pos, base + sep.start()))
        pos = sep.end()
    items.append((base + pos, base + len(body)))
    return items


def _listed_with_known(text: str, known: list[Tag]) -> list[Tag]:
    """The names of a list after "on"/"in"/"across" ("Experiments in LIBERO-PRO and
    MolmoSpaces show ...") that the gazetteer does not know, when it knows another item of
    the list and the name has the shape of one (`looks_like_name`): datasets too."""
    out: list[Tag] = []
    if " and " not in text and ", " not in text:
        return out
    for m in _NAME_LIST.finditer(text):
        out.extend(_unknown_items(text, _list_items(m), known + out, _name_no_metric))
    return out


def _name_no_metric(name: str) -> bool:
    """A listed name that has the shape of a name (`looks_like_name`) and names no metric."""
    return looks_like_name(name) and fold(name) not in resources.metrics().alias_to_metric


_COORD_WORD = r"[\w+-]*(?:\.[\w+-]+)*"
_COORD_ITEM = (r"(?:[A-Z0-9]|[a-z]+[A-Z])" + _COORD_WORD + r"(?:\s[A-Z0-9]" + _COORD_WORD
               + r"){0,2}")
_IN_A_WORD = regex.compile(r"[\w-]")
_AND_OR = regex.compile(r"\b(?:and|or)\b")
_BARE_ACRONYM = regex.compile(r"[A-Z]{2,6}s?")
_COORD_NEXT = regex.compile(r"(?:" + LIST_SPLIT.pattern + r")(?P<name>" + _COORD_ITEM
                            + r")(?![\w(-])")
_COORD_PREV = regex.compile(r"(?<![\w.+-])(?P<name>" + _COORD_ITEM + r")(?:"
                            + LIST_SPLIT.pattern + r")$")


def _coordinated_name(name: str) -> bool:
    """A capital and a letter first ("4.1", "zero-shot" are none), more than a bare acronym
    (as often a method: "CLA and GQA"), and a listed name's shape (`_name_no_metric`)."""
    return name[0].isalpha() and any(c.isupper() for c in name) and \
        not _BARE_ACRONYM.fullmatch(name) and _name_no_metric(name)


def _coordinated_with_known(text: str, known: list[Tag]) -> list[Tag]:
    """The names in a list with a known dataset, joined by commas and an "and" or "or",
    wherever the list stands ("We repurpose dSprites and COIL-20", "the six HoVer and
    IFBench comparisons"), that `_coordinated_name` accepts: datasets too."""
    if " and " not in text and " or " not in text:
        return []
    out: list[Tag] = []
    for t in [t for t in known if t.kind == "DATASET"]:
        if _IN_A_WORD.match(text, t.end) or (t.start and _IN_A_WORD.match(text, t.start - 1)):
            continue  # "Weather" in "Pangu-Weather"
        spans = [(t.start, t.end)]
        pos = t.end
        while (m := _COORD_NEXT.match(text, pos)) is not None:
            spans.append(m.span("name"))
            pos = m.end()
        end = t.start
        while (m := _COORD_PREV.search(text, max(0, end - 80), end)) is not None:
            spans.insert(0, m.span("name"))
            end = m.start()
        # a list has "and" or "or" ("At Pinterest, InteractRank improves" has none)
        if any(_AND_OR.search(text, a[1], b[0]) for a, b in pairwise(spans)):
            out.extend(_unknown_items(text, spans, known + out, _coordinated_name))
    return out


_TITLE_ANNOUNCES = (
    r"\s?:\s?"
    r"(?:(?:(?i:a|an|the)\s)?(?:(?!(?i:for|of|on|with|to|in|via|from|and|by)\b)[\w-]+\s){0,5}?"
    r"(?i:benchmark|dataset|corpus|suite|testbed|arena|leaderboard)s?\b|(?i:benchmarking)\b)"
)
"""After a title's name: ": A Benchmark for ...", ": A Local Ordinance Corpus", ": Benchmarking"."""
_TITLE_BENCHMARK = regex.compile(
    r"^\s*(?P<name>(?:[A-Z]|[a-z]{1,3}[A-Z])[\w.+*-]*(?:\s[A-Z0-9][\w.+*-]*){0,2})"
    + _TITLE_ANNOUNCES
)


_TITLE_BENCHMARK_LATE = regex.compile(r"^[^:]*\s(?P<name>[A-Z][\w.+*-]*)" + _TITLE_ANNOUNCES)


def title_benchmark(title: str) -> str | None:
    """The dataset a title announces ("FooBench: A Benchmark for ...", "Foo: Benchmarking
    ..."), or None."""
    if not title or ":" not in title:
        return None
    m = _TITLE_BENCHMARK.match(title)
    if m is None:
        # "Freeing the Law with LOCUS: A Local Ordinance Corpus ...": a name that ends the
        # words before the colon, when it has the shape of a name
        m = _TITLE_BENCHMARK_LATE.match(title)
        if m is None or not looks_like_name(m.group("name")):
            return None
    name = m.group("name")
    if MODEL_FAMILY.match(name) or not (looks_like_name(name) or name[1:].isalpha()):
        return None
    return name


def _title_datasets(text: str, title: str, known: list[Tag]) -> list[Tag]:
    """Each occurrence in the abstract of the dataset the title announces."""
    name = title_benchmark(title)
    if name is None:
        return []
    g = resources.datasets()
    hit = known_entry(g, name)
    value = g.entries[hit].name if hit is not None else name
    out: list[Tag] = []
    for pos in _standalone(text, name):
        end = pos + len(name)
        if not any(t.start < end and pos < t.end for t in known):
            out.append(Tag(pos, end, "DATASET", "title", value, (hit is not None, None)))
    return out


# ----------------------------------------------------------------------------- metrics


_CUTOFF_TAIL = regex.compile(
    rf"@{resources.CUTOFF}|:\d+(?:\.\d+)?(?=[\s,;)]|$)")
"""A cut-off written after a metric name, or the end of a range of cut-offs after one that
names its start ("mAP@0.5" + ":0.95"): part of the name, so its numbers are not values."""


_SLASH_QUALIFIER = regex.compile(r"(?<![\w/-])(?P<q>[A-Za-z][\w-]*)/$")
# An acronym that names a kind of system, not a score: "LLM-based ASR models" (speech
# recognition, not the attack success rate), "ASR systems", "the TTS pipeline".
_KIND_OF_SYSTEM = regex.compile(
    r"[\s-](?:based\s)?(?:models?|systems?|pipelines?|architectures?|backbones?|encoders?|"
    r"decoders?|engines?|toolkits?)\b")


def tag_metrics(text: str, spans: list[tuple[int, int]] | None = None) -> list[Tag]:
    """Metric names from the metric table (case rule per entry, token boundaries); with
    `spans` (sentences), only those inside them."""
    mt = resources.metrics()
    low = resources.folded(text)[0]
    n = len(text)
    if spans is None or not _metrics_stay_in_sentences():
        regions: list[tuple[int, int]] = [(0, n)]
    else:
        regions = spans
    out: list[Tag] = []
    for s0, e0 in regions:
        cands: list[tuple[int, int, Any]] = []
        values = mt.automaton.values
        for key, _start, k_end in mt.automaton.find(low[s0:e0]):
            end = s0 + k_end
            for metric, surface, exact in values[key]:
                start = end - len(surface)
                if exact and text[start:end] != surface:
                    continue
                if start > 0:
                    c = text[start - 1]
                    if c.isalnum() or c == "_":
                        continue
                tail = _CUTOFF_TAIL.match(text, end)  # "mAP@0.5:0.95", "AP@[0.5:0.95]"
                if tail is not None and ":" in tail.group() and (
                        "@" in surface or tail.group().startswith("@")):
                    end = tail.end()
                if end < n:
                    c = text[end]
                    if c.isalnum() or c == "_":
                        continue
                cands.append((start, end, metric))
        if cands:
            out.extend(Tag(s, e, "METRIC", "", m) for s, e, m in _greedy(cands)
                       if not (text[s:e].isupper() and _KIND_OF_SYSTEM.match(text, e)))
    for i, t in enumerate(out):
        q = _SLASH_QUALIFIER.search(text, max(0, t.start - 20), t.start) \
            if text[t.start - 1:t.start] == "/" else None
        if q is not None:  # "46.8/38.6 box/mask AP": both qualifiers name the metric
            words = text[t.start:t.end].split(" ", 1)
            if len(words) == 2 and mt.alias_to_metric.get(
                    fold(f"{q.group('q')} {words[1]}")) == t.value:
                out[i] = Tag(q.start(), t.end, "METRIC", "", t.value)
    for i in range(1, len(out)):
        a, b = out[i - 1], out[i]
        if text.startswith(" (", a.end) and b.start == a.end + 2 and text.startswith(")", b.end):
            if fold(str(a.value)) in _CANONICAL_HEADS and a.value != b.value:
                # "mean average accuracy (mAP)": a generic head word before the
                # abbreviation of a specific metric is that metric
                out[i - 1] = Tag(a.start, a.end, "METRIC", "", b.value)
            else:
                # "mean Intersection over Union (IoU)": the abbreviation of the name before it
                out[i] = Tag(b.start, b.end, "METRIC", "", a.value)
    return out


_SENTENCE_END = regex.compile(r"[.!?][\"'”’)\]]*\s")


@cache
def _metrics_stay_in_sentences() -> bool:
    """True when no metric spelling can run across a sentence boundary (then matching
    sentence by sentence finds, in those sentences, what matching the text finds)."""
    return not any(_SENTENCE_END.search(k) or k[:1].isspace() or not k
                   for k in resources.metrics().automaton.keys)


# Head words of a metric phrase that keep the table's canonical name ("exact accuracy" is
# accuracy); other heads keep the phrase ("depth error", "overall score").
_CANONICAL_HEADS = frozenset({"accuracy", "accuracies", "precision", "recall"})
_METRIC_WORD = regex.compile(r"(?i:\bmetrics?\b|\bscores?\b)")
# Words around a table metric that do not change what is measured: "a PQ score of",
# "a high Dice coefficient of", "a weighted F1 score of", "an exact match ratio of".
_PRAISE_WORDS = regex.compile(
    r"^(?:(?:low|lower|high|higher|mean|average|avg|weighted|best|unmatched|competitive|"
    r"impressive|remarkable|strong|excellent|superior|new|final|good|better|state-of-the-art|"
    r"sota|record|promising|outstanding|notable|decent|reasonable|leading)\s)+")
_BARE_CHANGE = regex.compile(r"(?:(?:relative|absolute|overall|net)\s)?(?:gain|improvement)s?")
_NAME_TAIL = regex.compile(r"\s(?:scores?|values?|ratios?|rates?)$")


LATEX_MARK = regex.compile(r"[$_^{]")
"""A mark of a metric written in LaTeX ("$F_1$", "F$_1$", "F_{1}")."""


def metric_name_of(surface: str) -> tuple[str, bool]:
    """(metric, in the table) for a metric phrase: the table's canonical name for the phrase
    or its singular or "<phrase> score" ("CLIP" -> CLIP score), or for it without praise
    words and a "score"/"value"/"ratio"/"rate" tail ("a high Dice coefficient", "a PQ
    score"), else the phrase itself with a plural head made singular ("targeting errors" ->
    "targeting error")."""
    table = resources.metrics().alias_to_metric
    key = fold(surface.strip())
    singular = key[:-1] if key.endswith("s") and not key.endswith("ss") else key
    for k in (key, singular, key + " score"):
        if k in table:
            return table[k], True
    words = key.split()
    head = words[-1]
    if head in _CANONICAL_HEADS and head in table:
        prev = table.get(words[-2]) if len(words) > 1 else None
        entry = resources.metrics().by_name.get(prev) if prev is not None else None
        if entry is not None and entry.metric != table[head] and not entry.needs_ml_context:
            return entry.metric, True  # "mIoU accuracy": the specific metric names the head
        return table[head], True
    bare = _PRAISE_WORDS.sub("", key)
    if _BARE_CHANGE.fullmatch(bare):
        return "improvement", True  # "a mean gain of +33.8 pp": a change of no named metric
    for k in (bare, _NAME_TAIL.sub("", bare)):
        if k != key and k in table:
            return table[k], True
    if " " in surface or surface.islower():
        words = surface.strip().split()
        last = words[-1]
        if last.islower() and last.endswith("s") and not last.endswith("ss"):
            words[-1] = last[:-1]
        elif len(words) > 1 and LATEX_MARK.search(last) and fold(last) in table:
            words[-1] = table[fold(last)]  # "evidence $F_1$": the table's spelling of F1
        return " ".join(words), False
    return surface.strip(), False


_BARE_SETTINGS = frozenset({"ratio", "proportion", "fraction"})
# Table names so generic that the words before them say what is measured ("track error").
_BARE_HEADS = frozenset({"error", "errors"})


def _bare_head_of(text: str, t: Tag, start: int, end: int) -> bool:
    """Table metric `t` is only the generic last word of the phrase `start:end`."""
    return t.start > start and t.end == end and fold(text[t.start:t.end]) in _BARE_HEADS


def tag_metric_phrases(text: str, spans: list[tuple[int, int]], metrics: list[Tag],
                       datasets: list[Tag]) -> list[Tag]:
    """Metric phrases the table lacks, by their shape: "an overall score of", "0.1 higher
    CW-SSIM", "(B4: 0.66" in a sentence about metrics, "scores 3.4 in clinical equivalence",
    what changes from one value to another ("valid emission rises from 0.100 to 0.959",
    "improves the tool call rate from 0.41 to"; not a system: "Qwen3-8B improves from").
    A phrase that contains a table metric replaces it ("depth error" over "error")."""
    out: list[Tag] = []
    for s0, e0 in spans:
        found = scan("metric_phrases", text, [(s0, e0)])
        if not found:
            continue
        for _pid, label, m in found:
            s, e = m.span("m")
            surface = text[s:e]
            if any(d.start < e and s < d.end for d in datasets):
                continue
            if label in ("MPHRASE:np_change", "MPHRASE:cutoff") and any(
                    t.start < e and s < t.end for t in metrics):
                continue  # "a 12% accuracy improvement", "NDCG@5": the table's metric
            if label == "MPHRASE:from_to":
                if any(t.start < e and s < t.end and not _bare_head_of(text, t, s, e)
                       for t in metrics):
                    continue  # "the FID drops from": the table's metric is named already
                if any(c.isupper() or c.isdigit() for c in surface[1:]):
                    continue  # "Qwen3-8B improves from 15.5%": a system, not what is measured
                head = surface.split()[0]
                if head[1:].islower():  # "Harmful flips fall from": a sentence's capital
                    surface = head.lower() + surface[len(head):]
            if label.startswith("MPHRASE:acronym") and MODEL_FAMILY.match(surface):
                continue
            if label == "MPHRASE:acronym" and not (
                    _METRIC_WORD.search(text, s0, e0) and len(surface) >= 2):
                continue
            name, known = metric_name_of(surface)
            exact = [t for t in metrics if t.start == s and t.end == e]
            if exact or (not known and name in _BARE_SETTINGS):
                continue  # "with average ratios of 6.38%, ...": a setting, not a metric
            out.append(Tag(s, e, "METRIC", "table" if known else "phrase", name,
                           "change" if label == "MPHRASE:np_change" else None))
    return out


_NAME_WORDS = regex.compile(r"[\s-]+")


def _initials_of(name: str, acronym: str) -> bool:
    """The capitals of `acronym` are the initials of the last words of `name`."""
    capitals = [c for c in acronym if c.isupper()]
    words = _NAME_WORDS.split(name.strip())
    return 0 < len(capitals) <= len(words) and all(
        w[:1].upper() == c for w, c in zip(words[-len(capitals):], capitals, strict=True))


_ACRONYM = regex.compile(r"[A-Z][A-Za-z0-9-]{1,9}")
_METRIC_HEAD = regex.compile(
    r"(?i:rate|score|error|accuracy|index|ratio|recall|precision|distance|similarity|"
    r"fidelity|coverage|loss)s?$")
"""A long form ending in a metric word is a metric, whatever the table calls it."""


def acronyms_defined_otherwise(text: str, metrics: list[Tag]) -> set[str]:
    """The metric acronyms among `metrics` that the abstract defines as something else:
    "automatic speech recognition (ASR)" makes "ASR" no attack success rate there. The
    acronym's capitals must be the initials of the long form's last words, and the long
    form must be neither a name of the acronym's metric nor end in a metric word
    ("Multi-Object Tracking Accuracy (MOTA)")."""
    surfaces = {text[t.start:t.end] for t in metrics}
    if not any(_ACRONYM.fullmatch(s) and sum(c.isupper() for c in s) > 1 for s in surfaces):
        return set()
    table = resources.metrics().alias_to_metric
    out: set[str] = set()
    for _pid, _label, m in scan("acronym_definitions", text):
        acr = m.group("acr")
        if acr not in surfaces or fold(acr) not in table or not _initials_of(m.group("name"),
                                                                             acr):
            continue
        name = m.group("name").strip()
        starts = [0] + [w.end() for w in _NAME_WORDS.finditer(name)]
        long_form = name[starts[-sum(c.isupper() for c in acr)]:]  # as written
        if table.get(fold(long_form)) != table[fold(acr)] and not _METRIC_HEAD.search(long_form):
            out.add(acr)
    return out


def tag_defined_metrics(text: str, spans: list[tuple[int, int]], taken: list[Tag]) -> list[Tag]:
    """Acronyms the abstract defines as a metric the table lacks ("we introduce Weighted
    Attack Success Rate (WASR), a severity-adjusted metric"), wherever they stand in the
    sentences `spans` ("13% WASR") and no tag of `taken` (metrics, datasets) lies. The
    acronym's capitals must be the initials of the name's last words ("false rejection rate
    (FRR)") and it must not name a model family."""
    found = scan("metric_definitions", text)
    if not found:
        return []
    table = resources.metrics().alias_to_metric
    names = sorted({m.group("acr") for _pid, _label, m in found
                    if _initials_of(m.group("name"), m.group("acr"))
                    and fold(m.group("acr")) not in table
                    and not MODEL_FAMILY.match(m.group("acr"))})
    out: list[Tag] = []
    for name in names:
        for s0, e0 in spans:
            for s in _standalone(text, name, s0, e0):
                e = s + len(name)
                if text[s - 1:s] != "-" and not any(t.start < e and s < t.end for t in taken):
                    out.append(Tag(s, e, "METRIC", "phrase", name))
    return out


# ----------------------------------------------------------------------------- patterns


def scan(name: str, text: str,
         spans: list[tuple[int, int]] | None = None) -> list[tuple[str, str, Any]]:
    """(id, label, match) for every match of pattern file `name` in `text` (or its spans)."""
    return resources.patterns(name).finditer(text, spans=spans)


def _group(m: Any, name: str) -> str | None:
    """m.groupdict().get(name), without building the dict (~15x slower)."""
    return m.group(name) if name in m.re.groupindex else None


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
        sign = _group(m, "sign")
        if sign in ("-", "−"):
            value = -value
        unit = label.split(":", 1)[1]
        out.append(Tag(m.start(), m.end(), "NUM", unit, value, m.span("n")))
    return out


def tag_resolutions(text: str, spans: list[tuple[int, int]] | None = None) -> list[Tag]:
    out: list[Tag] = []
    for pid, label, m in scan("resolutions", text, spans):
        a = int(m.group("a"))
        b_text = _group(m, "b")
        b = int(b_text) if b_text else a
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
        n_text = _group(m, "n")
        if n_text:
            val = int(n_text)
        else:
            val = _WORD_NUMBERS.get((_group(m, "w") or "").lower(), 0)
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


def sentence_tags(tags: Tags, name: str, text: str, start: int, end: int) -> list[Tag]:
    """Cues (`name` "cues") or model lists ("models") of one sentence, looked for once and
    kept in `tags`; no comparison cue inside a metric name."""
    kind, got = ("CUE", tags.cues) if name == "cues" else ("MODEL_LIST", tags.models)
    found = tag_labelled(name, kind, text, [(start, end)])
    if name == "cues":  # a comparison word inside a metric's name is the name's ("over" of
        found = [c for c in found  # "Intersection over Union"), not a comparison
                 if c.label not in ("CUE:vs", "CUE:than") or not any(
                     m.start <= c.start and c.end <= m.end for m in tags.metrics)]
    got.extend(found)
    return found


def relative_hint(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] has a relative unit ("%", "×", "3x", "times", "fold",
    "points", "pp", "percent"; `patterns/relative_hints.jsonl`): a sentence can only yield
    a result with a metric name or one of these in it."""
    return bool(scan("relative_hints", text, [(start, end)]))


def _number_beside_dataset(text: str, start: int, end: int, datasets: list[Tag]) -> bool:
    """The sentence names a dataset and has a digit outside every dataset name ("78.6 on
    COCO", not only "CIFAR-10"): an unnamed number may be a result on it."""
    inside = [d for d in datasets if start <= d.start < end]
    if not inside:
        return False
    pos = find_digit(text, start, end)
    while pos >= 0:
        d = next((d for d in inside if d.start <= pos < d.end), None)
        if d is None:
            return True
        pos = find_digit(text, d.end, end)
    return False


def tag_text(text: str, sentences: list[tuple[int, int]] | None = None,
             title: str = "") -> Tags:
    """Every tag of one abstract that can matter. Datasets are looked for in the whole text;
    metrics and resolutions in sentences with a digit; numbers, steps, cues and settings
    only where a claim is possible (a digit and a metric name, a relative unit or a
    dataset), which skips most sentences of non-ML abstracts."""
    tags = Tags(title=title)
    tags.datasets = tag_datasets(text, title)
    own = title_benchmark(title) if title else None
    if own is not None:
        key = fold(own)
        tags.own_dataset = next((d for d in tags.datasets if fold(str(d.value)) == key
                                 or fold(text[d.start:d.end]) == key), None)
    if sentences is None:
        sentences = [(0, len(text))]
    spans = [(s, e) for s, e in sentences if find_digit(text, s, e) >= 0]
    if not spans:
        return tags
    # Metrics matter only next to numbers: they are looked for in the sentences with a digit.
    tags.metrics = tag_metrics(text, spans)
    other = acronyms_defined_otherwise(text, tags.metrics)
    if other:
        tags.metrics = [t for t in tags.metrics if text[t.start:t.end] not in other]
    tags.resolutions = tag_resolutions(text, spans)
    phrases = tag_metric_phrases(text, spans, tags.metrics, tags.datasets)
    phrases += tag_defined_metrics(text, spans, tags.metrics + tags.datasets + phrases)
    if phrases:
        kept = [t for t in tags.metrics
                if not any(p.start <= t.start and t.end <= p.end for p in phrases)]
        tags.metrics = sorted(kept + phrases, key=lambda t: t.start)
    claim_spans = [(s, e) for s, e in spans
                   if any(s <= m.start < e for m in tags.metrics)
                   or relative_hint(text, s, e)
                   or _number_beside_dataset(text, s, e, tags.datasets)]
    if claim_spans:
        tags.numbers = tag_numbers(text, claim_spans)
        # Steps, settings and non-result contexts only matter where a number may be a
        # result (not a size or a share); cues and model lists only in sentences that have
        # candidate values: build_results looks for those itself (`sentence_tags`).
        num_spans = [(s, e) for s, e in claim_spans
                     if any(s <= t.start < e and t.label not in ("size", "share")
                            for t in tags.numbers)]
        if num_spans:
            tags.steps = tag_steps(text, num_spans)
            tags.skips = tag_labelled("nonresults", "SKIP", text, num_spans)
            tags.settings = tag_labelled("settings", "SETTING", text, num_spans)
    return tags
