"""Features of listing-page lines for the learned line classifier (`listing_model`).

Each line is described mostly by its shape: length, capitalisation, punctuation,
name-likeness, field labels ("Abstract:"), years, links and button words, the rule reader's
guess (`listing_rules.classify_line`), whether the same shape repeats on the page, and the
same facts about its neighbours. Of its words, only the first and the last are features
("DOI ... PDF", "Abstract ...", "... et al."): with them, 10-fold cross-validation by page
over the 127 annotated pages gave titles F1 0.834 -> 0.843 (models/README.md). The word
lists the features consult are data files (`listing_chrome.txt`, `listing_title_words.txt`,
`listing_link_words.txt`, `listing_field_labels.txt`, `listing_org_words.txt`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import regex

from pipeline.ingest import listing_names
from pipeline.ingest import listing_rules as rules

Features = dict[str, str | float]

_YEAR = regex.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")
_PAREN_YEAR = regex.compile(r"\((?:19|20)\d\d[a-z]?\)")
_URL = regex.compile(r"https?://|www\.|\.(?:com|org|io|edu)\b")
_FIELD_LABEL = regex.compile(r"^\s*\[?([\p{L} ()]{2,20}?)\]?\s*[:：]\s")
_INNER_AUTHORS = regex.compile(r"\S\s+(?:Authors?|By)\s*:\s", regex.IGNORECASE)
_NUMBERED = regex.compile(r"^\s*(?:\[?\d{1,3}[.)\]]|[-*•·–]\s)")
_BRACKETS = regex.compile(r"\[[^\]]{1,30}\]")
_MONTH = regex.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*day\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    r"|\bWeek\s+\d+\b",
)
_WORD = regex.compile(r"[\p{L}][\p{L}\p{M}'’-]*")
_EDGE_PUNCT = ".,;:()[]\"'*†|"
_DASH_SPLIT = regex.compile(r"\s[-–—]\s")
_PAREN_NAMES = regex.compile(
    r"\((?:\p{Lu}[\p{L}'’-]+(?:\s\p{Lu}[\p{L}'’-]+)?,\s*)+\p{Lu}[\p{L}'’-]+\)")
_NAMES_TAIL = regex.compile(
    r"\p{Ll}{2}[.?]\s+(?:\p{Lu}[\p{L}.'’-]*\s+){1,3}\p{Lu}[\p{L}'’-]+[*†]?(?:,|\s+and\s)")
_INITIALS_HEAD = regex.compile(r"^(?:\p{Lu}[\p{L}'’-]+,\s(?:\p{Lu}\.\s?-?)+,?\s)+")
_CITATION = regex.compile(r"^[^()]{3,200}?\(\s*(?:19|20)\d\d[a-z]?\s*\)\s*[.,:]")
# a sub-section number ("1.2 Deep Belief Network", "c. Deterministic Policy Gradients"):
# two levels at least, or a small letter, since a single "2. " numbers paper lists too;
# case-sensitive, so "A. Vaswani" is no section
_SECTION = regex.compile(r"^(?:\d{1,2}(?:\.\d{1,2})+\.?|[a-h]\.)\s+\p{Lu}")


def link_words() -> frozenset[str]:
    """Words of link and button rows ("pdf", "code", "bibtex"), from `listing_link_words.txt`."""
    return rules.load_words("listing_link_words.txt")


def field_labels() -> frozenset[str]:
    """Labels that start a field line ("abstract", "authors"), from `listing_field_labels.txt`."""
    return rules.load_words("listing_field_labels.txt")


def bucket(n: int, edges: Sequence[int]) -> str:
    """`<=edge` for the first edge `n` does not exceed, else `>last edge`: a count as a word."""
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def _ratio(n: int, d: int) -> float:
    return round(n / d, 2) if d else 0.0


def shape(text: str, kind: str) -> str:
    """A coarse signature of a line (`kind`: its `classify_line`), for finding lines of the
    same kind on a page."""
    words = text.split()
    label = _FIELD_LABEL.match(text)
    return "|".join((
        kind,
        bucket(len(words), (1, 3, 8, 16, 30)),
        ("label=" + label.group(1).casefold()) if label else "",
        "y" if _YEAR.search(text) else "",
        "u" if _URL.search(text) else "",
    ))


def own_features(text: str, kind: str | None = None) -> Features:
    """What one line looks like on its own (`kind`: its `classify_line`, when known)."""
    stripped = text.strip()
    if not stripped:
        return {"blank": 1.0}
    words = stripped.split()
    alpha = _WORD.findall(stripped)
    n_alpha = len(alpha)
    capital = sum(1 for w in alpha if w[0].isupper())
    lower_words = sum(1 for w in alpha if w[0].islower())
    names_tokens = sum(1 for w in words if rules.is_name_token(w))
    title_hits = sum(1 for w in alpha if w.casefold() in rules.title_words())
    link_hits = sum(1 for w in alpha if w.casefold() in link_words())
    kind = kind or rules.classify_line(stripped)
    label = _FIELD_LABEL.match(stripped)
    first_word = next((w for w in (x.strip(_EDGE_PUNCT) for x in words) if w), None)
    f: Features = {
        "kind=" + kind: 1.0,
        "length": min(len(stripped), 300) / 300,
        "words=" + bucket(len(words), (1, 2, 3, 5, 8, 12, 20, 35, 60)): 1.0,
        "chars=" + bucket(len(stripped), (10, 25, 50, 80, 120, 200, 400)): 1.0,
        "last=" + (stripped[-1] if not stripped[-1].isalnum() else
                   "digit" if stripped[-1].isdigit() else "alpha"): 1.0,
        "first=" + ("upper" if stripped[0].isupper() else "lower" if stripped[0].islower()
                    else "digit" if stripped[0].isdigit() else stripped[0]): 1.0,
        "capital_ratio": _ratio(capital, n_alpha),
        "lower_ratio": _ratio(lower_words, n_alpha),
        "name_ratio": _ratio(names_tokens, len(words)),
        "person_ratio": listing_names.person_ratio(words),
        "title_word_ratio": _ratio(title_hits, n_alpha),
        "link_ratio": _ratio(link_hits, n_alpha),
        "commas": min(stripped.count(","), 10) / 10,
        "comma_ratio": _ratio(stripped.count(","), len(words)),
        "ands": min(len(regex.findall(r"\band\b|&", stripped)), 3) / 3,
        "colon_inside": 1.0 if regex.search(r"\w[:：]\s", stripped[:-1]) else 0.0,
        "periods": min(len(regex.findall(r"\.(?:\s|$)", stripped)), 5) / 5,
        "digits": _ratio(sum(c.isdigit() for c in stripped), len(stripped)),
        "brackets": min(len(_BRACKETS.findall(stripped)), 4) / 4,
        "markers": 1.0 if regex.search(r"[*†‡§¹²³⁴⁵⁶⁷⁸⁹]", stripped) else 0.0,
        "parens": 1.0 if "(" in stripped else 0.0,
        # a table row (cells cut by tabs): its cells are fields, the line is not prose
        "tabs=" + bucket(stripped.count("\t"), (0, 1, 2, 4)): 1.0,
    }
    if first_word is not None:  # then there is a last one too
        last_word = next(w for w in (x.strip(_EDGE_PUNCT) for x in reversed(words)) if w)
        f["first_word=" + first_word.casefold()] = 1.0
        if listing_names.is_person_word(first_word):
            f["person_first"] = 1.0
        f["last_word=" + last_word.casefold()] = 1.0
    if label:
        word = label.group(1).casefold()
        f["label=" + (word if word in field_labels() else "other")] = 1.0
    for name, hit in (
        ("year", _YEAR.search(stripped)),
        ("paren_year", _PAREN_YEAR.search(stripped)),
        ("url", _URL.search(stripped)),
        ("inner_authors", _INNER_AUTHORS.search(stripped)),
        ("numbered", _NUMBERED.match(stripped)),
        ("date", _MONTH.search(stripped)),
        ("dash_split", _DASH_SPLIT.search(stripped)),
        ("citation", _CITATION.match(stripped)),
        ("section", _SECTION.match(stripped)),
        ("org", rules.has_org_word(alpha)),
        ("paren_names", _PAREN_NAMES.search(stripped)),
        ("names_tail", _NAMES_TAIL.search(stripped)),
        ("initials_head", _INITIALS_HEAD.match(stripped)),
        ("names", rules.parse_names(stripped) is not None),
        ("chrome_listed", " ".join(stripped.split()).casefold() in rules.chrome_lines()),
        ("prose", rules.is_prose(stripped)),
        ("all_caps", stripped.isupper() and n_alpha > 0),
        ("ends_sentence", stripped[-1] in ".!?"),
    ):
        if hit:
            f[name] = 1.0
    return f


def page_features(lines: Sequence[str]) -> list[Features]:
    """Features of every line of a page: its own, its neighbours', and the page's repeats."""
    kinds = [rules.classify_line(t) for t in lines]
    own = [own_features(t, kind) for t, kind in zip(lines, kinds, strict=True)]
    shapes = [shape(t, kind) if t.strip() else "" for t, kind in zip(lines, kinds, strict=True)]
    shape_count = Counter(s for s in shapes if s)
    text_count = Counter(" ".join(t.split()) for t in lines if t.strip())
    content = [i for i, t in enumerate(lines) if t.strip()]
    order = {i: k for k, i in enumerate(content)}
    out: list[Features] = []
    for i, text in enumerate(lines):
        f = dict(own[i])
        if text.strip():
            k = order[i]
            f["repeats=" + bucket(shape_count[shapes[i]], (1, 2, 4, 8))] = 1.0
            f["same_text=" + bucket(text_count[" ".join(text.split())], (1, 2, 4))] = 1.0
            f["blank_before"] = 1.0 if i == 0 or not lines[i - 1].strip() else 0.0
            f["blank_after"] = 1.0 if i + 1 >= len(lines) or not lines[i + 1].strip() else 0.0
            for step, tag in ((-1, "p1"), (1, "n1"), (-2, "p2"), (2, "n2")):
                j = k + step
                if 0 <= j < len(content):
                    for name, value in own[content[j]].items():
                        if abs(step) == 1 or name.startswith(
                                ("kind=", "words=", "label=", "first=", "last=")):
                            f[f"{tag}:{name}"] = value
                    if shapes[content[j]] == shapes[i]:
                        f[f"{tag}:same_shape"] = 1.0
                else:
                    f[f"{tag}:none"] = 1.0
        out.append(f)
    return out
