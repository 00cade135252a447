"""Whether a word is a person's given name or a name written in Pinyin: a feature of the
listing reader's line and segment models ("Pola Schwobel, Martin Jørgensen" is a run of names,
"Marginal Likelihood for Invariance Learning" is not).

- given names: `listing_given_names.txt` (Latin-script first names of many locales, built by
  `pipeline/tools/build_given_names.py` from Faker's lists, MIT licence);
- Pinyin: a capitalised word that splits into one to three syllables of
  `listing_pinyin.txt` ("Haotian" = hao + tian, "Zhang"), the last of more than one not a
  bare "e" or a consonant and one ("Dense" = den + se, "Line" = lin + e are English words);
- never a word of `listing_title_words.txt`.
"""

from __future__ import annotations

from functools import cache

from pipeline.ingest import listing_rules as rules

_MAX_SYLLABLES = 3
_BARE_E = frozenset("e be ce de ge he ke le me ne pe re se te ze".split())
_EDGES = ".,;:()[]\"'*†‡|“”’"


@cache
def given_names() -> frozenset[str]:
    return frozenset(w.casefold() for w in rules.load_words("listing_given_names.txt"))


@cache
def pinyin_syllables() -> frozenset[str]:
    return rules.load_words("listing_pinyin.txt")


def _syllables(word: str, k: int) -> bool:
    """`word` (lower case) is `k` or fewer Pinyin syllables, the last not a bare "Ce"."""
    if not word:
        return True
    if k == 0:
        return False
    sy = pinyin_syllables()
    for n in range(min(6, len(word)), 0, -1):
        head = word[:n]
        if head in sy and (n < len(word) or k == _MAX_SYLLABLES or head not in _BARE_E) \
                and _syllables(word[n:], k - 1):
            return True
    return False


@cache
def is_person_word(token: str) -> bool:
    """A given name or a Pinyin name, capitalised, and no title word."""
    word = token.strip(_EDGES)
    if len(word) < 2 or not word[0].isupper() or not word[1:].islower() or not word.isalpha():
        return False
    low = word.casefold()
    if low in rules.title_words():
        return False
    return low in given_names() or (word.isascii() and _syllables(low, _MAX_SYLLABLES))


def person_ratio(words: list[str]) -> float:
    """The share of `words` that are person words, in tenths."""
    alpha = [w for w in words if any(c.isalpha() for c in w)]
    if not alpha:
        return 0.0
    return round(sum(1 for w in alpha if is_person_word(w)) / len(alpha), 1)
