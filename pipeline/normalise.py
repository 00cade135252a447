"""Normalise stage: repair text, give each paper a stable id, merge duplicates.

Core functions are pure (`normalise_text`, `normalise_title`, `paper_id_for`,
`repair_record`, `merge_records`); `run` is the I/O shell that reads the ingest chunks and
writes `papers` (see "stage shell" below for how it stays within a chunk's memory).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ftfy
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import regex
from ftfy.chardata import HTML_ENTITY_RE

from pipeline.config import Config
from pipeline.errors import GazetteerError, InputError, Reason
from pipeline.io import write_json
from pipeline.records import Paper, Record, Rejected, StageResult

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "gazetteers" / "normalise"
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_latin_ligatures=True, normalization="NFC")


def _data_lines(path: Path) -> Iterator[tuple[int, str]]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            yield lineno, line.rstrip("\n")


@cache
def _see_more_re() -> regex.Pattern[str]:
    path = DATA_DIR / "see_more.txt"
    markers = sorted({m.strip() for _, m in _data_lines(path)}, key=len, reverse=True)
    if not markers:
        raise GazetteerError(f"{path}: no markers")
    alternation = "|".join(re.escape(m) for m in markers)
    # "…" or "...", an optional space, then "(marker)"; the cut word is re-joined.
    return regex.compile(rf"(?:…|\.\.\.)\s?\((?:{alternation})\)", regex.IGNORECASE)


@cache
def _latex_table() -> dict[str, str]:
    path = DATA_DIR / "latex.tsv"
    table: dict[str, str] = {}
    for lineno, line in _data_lines(path):
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].isalpha():
            raise GazetteerError(f"{path}:{lineno}: expected 'command<TAB>replacement'")
        if parts[0] in table:
            raise GazetteerError(f"{path}:{lineno}: duplicate command {parts[0]!r}")
        table[parts[0]] = parts[1]
    return table


@cache
def _latex_re() -> re.Pattern[str]:
    names = "|".join(sorted(_latex_table(), key=len, reverse=True))
    # "{\alpha}", "\alpha", "{\times}" ... ; the command must end at a non-letter.
    return re.compile(rf"\{{\\({names})\}}|\\({names})(?![A-Za-z])")


# Digits glued to a bare "times" left by scrapers that dropped the backslash:
# "256times256", "64{times}64", "64times 64", "3.5times" -> "256×256", "3.5×".
# Patterns that begin with a look-behind run on `regex`, which finds their literal first:
# ~10x faster than `re` on an abstract (the rest are faster on `re`; same syntax and
# matches in both, a property test checks it).
_TIMES_BETWEEN = regex.compile(r"(?<=\d)\s*\{?times\}?\s*(?=\d)")
_TIMES_AFTER = regex.compile(r"(?<=\d)\{?times\}?(?![A-Za-z])")
_MULT_SPACES = regex.compile(r"(?<=\d)\s*×\s*(?=\d)")
_BRACED_OP = re.compile(r"\{([=<>+\-,.:;])\}")
_ESCAPED = re.compile(r"\\([%&#_$])")
_TEXT_CMD = re.compile(
    r"\\(?:textbf|textit|emph|mathrm|mathbf|mathcal|text|texttt|textsc)\{([^{}]*)\}"
)
_EM_GROUP = re.compile(r"\{\\(?:em|bf|it|rm|tt)\s+([^{}]*)\}")
_INLINE_MATH = re.compile(r"\$([^$]{1,80})\$")
_TIE = regex.compile(r"(?<=\S)~(?=[A-Za-z(])")


def splice_markers(text: str) -> str:
    """Remove "… (voir plus)"-style markers, re-joining the word they cut."""
    return _see_more_re().sub("", text)


def replace_latex(text: str) -> str:
    """Make LaTeX debris readable while keeping its meaning."""
    table = _latex_table()
    # Each pattern needs a literal ("$", "\\", "times", ...): testing for it first skips
    # the scan, which for the look-behind patterns costs ~60 µs per abstract.
    if "$" in text:
        text = _INLINE_MATH.sub(lambda m: m.group(1), text)
    if "\\" in text:
        text = _TEXT_CMD.sub(lambda m: m.group(1), text)
        text = _EM_GROUP.sub(lambda m: m.group(1), text)
        text = _latex_re().sub(lambda m: table[m.group(1) or m.group(2)], text)
    if "times" in text:
        text = _TIMES_BETWEEN.sub("×", text)
        text = _TIMES_AFTER.sub("×", text)
    if "×" in text:
        text = _MULT_SPACES.sub("×", text)
    if "{" in text:
        text = _BRACED_OP.sub(lambda m: m.group(1), text)
    if "\\" in text:
        text = _ESCAPED.sub(lambda m: m.group(1), text)
    return _TIE.sub(" ", text) if "~" in text else text


def collapse_whitespace(text: str) -> str:
    # Every whitespace character but " " is unprintable (str.isprintable), so printable text
    # without double, leading or trailing spaces is already collapsed: C-speed checks
    # instead of splitting (the second repair pass nearly always lands here).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LATEX_TRIGGERS = ("\\", "{", "$", "~", "times", "×")


def _mojibake_triggers() -> list[tuple[int, int]] | None:
    """Code point ranges such that text without them cannot match ftfy's `BADNESS_RE`.

    Every alternative of the heuristic needs some non-ASCII character from a fixed set
    (a literal, or a class of literals); one such token per alternative is collected,
    preferring tokens that spare characters common in scientific text. None when an
    alternative has no such token (then only ASCII is known to be safe).
    """
    try:
        import re._constants as sre_c
        import re._parser as sre_parse

        from ftfy.badness import BADNESS_RE

        tree = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
        (op, (_, branches)), *rest = tree.data
    except Exception:  # noqa: BLE001 - another ftfy or Python: no fast path
        return None
    if op is not sre_c.BRANCH or rest:
        return None
    common = set(map(ord, "×±→←≤≥∼~°µμαβγδεηθλπσφωΔΩ–—’…·"))

    def token(item: tuple[object, object]) -> list[tuple[int, int]] | None:
        kind, value = item
        if kind is sre_c.LITERAL and isinstance(value, int):
            return [(value, value)] if value >= 128 else None
        if kind is sre_c.IN and isinstance(value, list):
            ranges: list[tuple[int, int]] = []
            for k, v in value:
                if k is sre_c.LITERAL:
                    ranges.append((v, v))
                elif k is sre_c.RANGE:
                    ranges.append(v)
                else:  # negation, categories: not a fixed set
                    return None
            return ranges if all(lo >= 128 for lo, _ in ranges) else None
        return None

    out: list[tuple[int, int]] = []
    for branch in branches:
        tokens = [t for t in (token(item) for item in branch.data) if t]
        if not tokens:
            return None
        out += min(
            tokens,
            key=lambda rs: (
                sum(lo <= c <= hi for c in common for lo, hi in rs),
                sum(hi - lo + 1 for lo, hi in rs),
            ),
        )
    return out


def _unsafe_ranges() -> list[tuple[int, int]]:
    from ftfy import chardata

    # "&" is not here: ftfy reacts to it only as part of an entity (`_has_entity`).
    ranges = [(0x00, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029), (0xD800, 0xDFFF)]
    for table in (chardata.LIGATURES, chardata.WIDTH_MAP, chardata.CONTROL_CHARS):
        ranges += [(c, c) for c in table]
    return ranges


@cache
def _ftfy_unsafe() -> re.Pattern[str]:
    """Characters some step of `ftfy.fix_and_explain(_, _FTFY)` other than its mojibake
    repair could change or react to (mojibake: `_looks_mojibake`)."""
    return _char_class(_unsafe_ranges())


@cache
def _ftfy_attention() -> re.Pattern[str]:
    """`_ftfy_unsafe` and the mojibake triggers: text without them is inert for ftfy."""
    return _char_class([*_unsafe_ranges(), *(_mojibake_triggers() or [(0x80, 0x10FFFF)])])


def _char_class(ranges: list[tuple[int, int]]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + "]")


@cache
def _mojibake_windows() -> tuple[re.Pattern[str], int] | None:
    """(the trigger characters, the widest match of `BADNESS_RE`), when both are known."""
    import re._parser as sre_parse

    from ftfy.badness import BADNESS_RE

    triggers = _mojibake_triggers()
    if triggers is None:
        return None
    width = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags).getwidth()[1]
    return (_char_class(triggers), width) if width < 100 else None


def _looks_mojibake(text: str) -> bool:
    """`ftfy.badness.is_bad(text)`, or True when unsure; fast on clean text.

    A match of `BADNESS_RE` holds a trigger character and is at most `width` long, so it
    lies in the window of `width` characters either side of one: only those windows are
    searched (~1 ms for the whole of a 1,000-character abstract with a "Γ" in it). A
    window's right edge can only add matches (an anchor there sees the end of the text),
    never lose one, so the answer errs only towards calling ftfy.
    """
    spec = _mojibake_windows()
    if spec is None:
        return not text.isascii()
    from ftfy.badness import BADNESS_RE

    triggers, width = spec
    windows: list[list[int]] = []
    for m in triggers.finditer(text):
        lo, hi = max(0, m.start() - width), m.end() + width + 1
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    return any(BADNESS_RE.search(text, lo, min(hi, len(text))) for lo, hi in windows)


def _has_entity(text: str) -> bool:
    """Whether ftfy's `unescape_html` step has something to replace: its own entity
    pattern ("&amp;", "&#39;"), not any "&" ("R&D", "Q&A" are left as they are)."""
    return "&" in text and HTML_ENTITY_RE.search(text) is not None


def _ftfy_inert(segment: str) -> bool:
    """True when ftfy cannot change this segment (one line, its "\\n" included).

    ftfy's steps each need a character to act on: HTML entities, mojibake characters
    (`_mojibake_triggers`), C1 and other control characters, ligatures, wide forms, line
    separators, surrogates; and NFC must leave the text alone. Without any of them every
    step is the identity, so `fix_and_explain` returns the segment unchanged.
    """
    body = segment[:-1] if segment.endswith("\n") else segment
    if _has_entity(body):
        return False
    if _ftfy_attention().search(body) and (
            _ftfy_unsafe().search(body) or _looks_mojibake(body)):
        return False
    return body.isascii() or unicodedata.is_normalized("NFC", body)


def fix_text(text: str) -> str:
    """`ftfy.fix_text(text, _FTFY)`, exactly, without calling ftfy on inert lines.

    ftfy fixes a text line by line (segments ending in "\n"); most lines of a hard-wrapped
    abstract are plain ASCII, and ftfy's fixed cost per line (~0.3 ms) was most of
    normalise's time. The loop is ftfy's own, including its sticky `unescape_html="auto"`
    rule, so the output is the same for every text (a property test checks it).
    """
    config = _FTFY
    out: list[str] = []
    pos = 0
    end = len(text)
    while pos < end:
        textbreak = text.find("\n", pos) + 1
        if textbreak == 0:
            textbreak = end
        if textbreak - pos > config.max_decode_length:
            textbreak = pos + config.max_decode_length
        segment = text[pos:textbreak]
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)
        out.append(segment if _ftfy_inert(segment) else ftfy.fix_and_explain(segment, config)[0])
        pos = textbreak
    return "".join(out)


def _repair_once(text: str) -> str:
    # Pure ASCII without entities has nothing for ftfy to fix; skipping it is most of the
    # speed on arXiv-scale corpora (ftfy is ~450 µs per abstract).
    out = text if text.isascii() and "&" not in text else fix_text(text)
    # Control characters are unprintable: a printable text (a repaired one, in the second
    # pass) has none to replace and, if nothing below changes it, no whitespace but " ".
    printable = out.isprintable()
    if not printable:
        out = _CONTROL.sub(" ", out)
    before = out
    if "…" in out or "..." in out:
        out = splice_markers(out)
    if any(t in out for t in _LATEX_TRIGGERS):
        out = replace_latex(out)
    if printable and out is before and "  " not in out and out[:1] != " " and out[-1:] != " ":
        return out
    return collapse_whitespace(out)


def normalise_text(text: str) -> str:
    """Repair an abstract or title: Unicode, markers, LaTeX debris, whitespace.

    Idempotent: normalise_text(normalise_text(s)) == normalise_text(s).
    """
    return _settle(text, _repair_once(text))


def _settle(text: str, out: str) -> str:
    """The rest of `normalise_text(text)`, given `out`, the first pass over `text`."""
    if out == text:
        return out  # a pass that changes nothing would change nothing again
    # A pass can expose a pattern for another (a marker inside math, say); iterate to a
    # fixed point so the function is idempotent. One extra pass is the norm.
    for _ in range(4):
        again = _repair_once(out)
        if again == out:
            break
        out = again
    return out


def normalise_title(text: str) -> str:
    return normalise_text(text)


def normalise_author(text: str) -> str:
    return collapse_whitespace(fix_text(text)).strip(" ,;")


_KEY_DROP = re.compile(r"[\W_]+", re.UNICODE)


def title_key(title: str) -> str:
    """What two titles must share to be the same paper: case, punctuation, spacing ignored."""
    return _KEY_DROP.sub(" ", unicodedata.normalize("NFKC", title).casefold()).strip()


_ARXIV_ID = re.compile(
    r"^(?:arxiv:)?((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?$",
    re.IGNORECASE,
)


def clean_arxiv_id(raw: str | None) -> str | None:
    """`2410.12345v2` -> `2410.12345`; old-style `hep-th/9901001` kept; junk -> None."""
    if not raw:
        return None
    m = _ARXIV_ID.match(raw.strip())
    return m.group(1) if m else None


def paper_id_for(arxiv_id: str | None, title: str) -> str:
    """`arxiv:<id>` when known, else `title:<16 hex of sha1(title_key)>`."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    return _title_id(title_key(title))


def _title_id(key: str) -> str:
    return "title:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Repaired:
    """One record after text repair: what merging and the `papers` row need from it."""

    source_file: str
    source_format: str
    line: int
    title: str
    """Repaired, never empty."""
    authors: tuple[str, ...]
    abstract: str | None
    arxiv_id: str | None
    """Cleaned (`clean_arxiv_id`)."""
    urls: tuple[str, ...]

    def keys(self) -> list[str]:
        """What another record must share to be the same paper: title key, arXiv id."""
        keys = [f"t:{title_key(self.title)}"]
        return keys + [f"a:{self.arxiv_id}"] if self.arxiv_id else keys

    def to_paper(self) -> Paper:
        """The paper this record is when no other record merges with it."""
        return Paper(
            paper_id=paper_id_for(self.arxiv_id, self.title),
            title=self.title,
            authors=self.authors,
            abstract=self.abstract,
            source_file=self.source_file,
            source_format=self.source_format,
            line=self.line,
            arxiv_id=self.arxiv_id,
            urls=self.urls,
            sources=(f"{self.source_file}:{self.line}",),
        )


def repair_record(rec: Record) -> Repaired | Rejected:
    """Repair one record's text (pure); a record without a title after repair is rejected."""
    title = normalise_title(rec.title or "")
    if not title:
        return Rejected(
            stage="normalise",
            source_file=rec.source_file,
            line=rec.line,
            reason=Reason.NO_TITLE.value,
            detail=f"{rec.source_file}:{rec.line}: record has no title after repair",
            record=rec.raw or "{}",
        )
    return Repaired(
        source_file=rec.source_file,
        source_format=rec.source_format,
        line=rec.line,
        title=title,
        authors=tuple(a for a in (normalise_author(x) for x in rec.authors) if a),
        abstract=(normalise_text(rec.abstract) if rec.abstract else None) or None,
        arxiv_id=clean_arxiv_id(rec.arxiv_id),
        urls=tuple(rec.urls),
    )


@dataclass(slots=True)
class _Draft:
    """A paper being assembled from one or more records."""

    first: Repaired
    position: int
    """Position of the first record in the input (the paper is written there)."""
    authors: tuple[str, ...]
    abstract: str | None
    arxiv_id: str | None
    urls: list[str]
    sources: list[str] = field(default_factory=list)

    def absorb(self, rec: Repaired, arxiv_id: str | None) -> None:
        """Fill what the first record lacked; keep every source and URL."""
        if not self.authors and rec.authors:
            self.authors = rec.authors
        if self.abstract is None and rec.abstract:
            self.abstract = rec.abstract
        if self.arxiv_id is None and arxiv_id:
            self.arxiv_id = arxiv_id
        for u in rec.urls:
            if u not in self.urls:
                self.urls.append(u)
        self.sources.append(f"{rec.source_file}:{rec.line}")

    def to_paper(self) -> Paper:
        return Paper(
            paper_id=paper_id_for(self.arxiv_id, self.first.title),
            title=self.first.title,
            authors=self.authors,
            abstract=self.abstract,
            source_file=self.first.source_file,
            source_format=self.first.source_format,
            line=self.first.line,
            arxiv_id=self.arxiv_id,
            urls=tuple(self.urls),
            sources=tuple(self.sources),
        )


@dataclass(frozen=True, slots=True)
class NormaliseResult:
    papers: list[Paper]
    rejected: list[Rejected]
    merged: dict[str, int]
    """Per source file: records merged into a paper that another record started."""


def _merge(items: Iterable[tuple[int, Repaired]]) -> tuple[list[_Draft], dict[str, int]]:
    """Merge duplicates (same arXiv id, or same title key) of positioned records.

    Records must come in a stable order (file name, line); the first record of a paper
    gives its title and source, later ones fill gaps and are counted as merged.
    """
    drafts: list[_Draft] = []
    by_key: dict[str, int] = {}
    merged: dict[str, int] = {}
    for position, rec in items:
        keys = rec.keys()
        hit = next((by_key[k] for k in keys if k in by_key), None)
        if hit is None:
            draft = _Draft(rec, position, rec.authors, rec.abstract, rec.arxiv_id, list(rec.urls))
            draft.sources.append(f"{rec.source_file}:{rec.line}")
            hit = len(drafts)
            drafts.append(draft)
        else:
            # An arXiv id already owned by another paper must not be adopted twice.
            arxiv_id = rec.arxiv_id
            owner = by_key.get(f"a:{arxiv_id}", hit) if arxiv_id else hit
            drafts[hit].absorb(rec, arxiv_id if owner == hit else None)
            merged[rec.source_file] = merged.get(rec.source_file, 0) + 1
        for k in keys:
            by_key.setdefault(k, hit)
    return drafts, merged


def merge_repaired(items: Iterable[Repaired | Rejected]) -> NormaliseResult:
    """Merge repaired records (rejected ones are passed through); see `_merge`."""
    rejected: list[Rejected] = []

    def kept() -> Iterator[tuple[int, Repaired]]:
        for i, item in enumerate(items):
            if isinstance(item, Rejected):
                rejected.append(item)
            else:
                yield i, item

    drafts, merged = _merge(kept())
    return NormaliseResult([d.to_paper() for d in drafts], rejected, merged)


def merge_records(records: Iterable[Record]) -> NormaliseResult:
    """Repair every record and merge duplicates (same arXiv id, or same title key).

    Records must come in a stable order (file name, line); the first record of a paper
    gives its title and source, later ones fill gaps and are counted as merged.
    """
    return merge_repaired(repair_record(rec) for rec in records)


def records_from_table(table: pa.Table | pa.RecordBatch) -> Iterator[Record]:
    batches = table.to_batches(max_chunksize=10_000) if isinstance(table, pa.Table) else [table]
    for batch in batches:
        for row in batch.to_pylist():
            yield Record(
                source_file=row["source_file"],
                line=row["line"],
                source_format=row["source_format"],
                title=row["title"],
                authors=tuple(row["authors"] or ()),
                abstract=row["abstract"],
                arxiv_id=row["arxiv_id"],
                urls=tuple(row["urls"] or ()),
                raw=row.get("raw") or "",
            )


# ----------------------------------------------------------------------------- stage shell
#
# Three passes, memory bounded by a chunk, not by the corpus:
# 1. repair: every ingest chunk is repaired on the engine (pure, cached per chunk) into a
#    `repaired/<chunk>.parquet` of `papers` rows plus two 8-byte key hashes per row (title
#    key, arXiv id);
# 2. keys: only the hashes are loaded; a row whose keys are all unique cannot merge with
#    anything, so it is its own paper. The few rows sharing a hash (duplicates, or a hash
#    collision) are merged exactly by `_merge`, on their full keys;
# 3. emit: the repaired rows are copied in order into `papers.parquet`, a duplicate group
#    written once at its first record, as `merge_records` would.

KEY_FIELDS = (pa.field("key_t", pa.uint64(), nullable=False), pa.field("key_a", pa.uint64()))


def repaired_schema() -> pa.Schema:
    from pipeline.schemas import arrow_schema

    return pa.schema([*arrow_schema("papers"), *KEY_FIELDS])


def key_hash(key: str) -> int:
    """8 bytes of blake2b: a compact stand-in for a merge key (collisions only cost time)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


@dataclass(frozen=True, slots=True)
class RepairedChunk:
    """What a worker made of one ingest chunk."""

    repaired: bytes
    """Parquet bytes of `repaired_schema()` rows."""
    rejected: list[Rejected]


def repair_chunk(data: bytes) -> RepairedChunk:
    """Pure: Parquet bytes of `records` -> repaired rows with key hashes, and rejections."""
    from pipeline.chunk_repair import repair_table
    from pipeline.io import parquet_bytes, table_from_parquet

    out, rejected = repair_table(table_from_parquet(data))
    return RepairedChunk(parquet_bytes(out), rejected)


def shared_key_rows(
    key_t: npt.NDArray[np.uint64], key_a: npt.NDArray[np.uint64], has_a: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Rows with a key hash that another row has too (the only rows that can merge).

    The pool of hashes is sorted in place and the repeated ones (few) are looked up by
    binary search. `np.unique` and `np.isin` held several sorted copies: 96 bytes a paper
    at the peak beyond the inputs (tracemalloc, 2.7M random keys), this 22.
    """
    # Title and arXiv keys hash different prefixes ("t:", "a:"), so one pool holds both.
    pool = np.concatenate([key_t, key_a[has_a]])
    pool.sort()
    repeated = np.unique(pool[1:][pool[1:] == pool[:-1]])
    del pool
    return _member(key_t, repeated) | (has_a & _member(key_a, repeated))


def _member(keys: npt.NDArray[np.uint64], values: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """keys ∈ values, for sorted unique `values`."""
    if values.size == 0:
        return np.zeros(keys.shape, np.bool_)
    idx = np.searchsorted(values, keys)
    idx[idx == values.size] = 0
    found: npt.NDArray[np.bool_] = values[idx] == keys
    return found


def _repaired_from_row(row: dict[str, object]) -> Repaired:
    return Repaired(
        source_file=str(row["source_file"]),
        source_format=str(row["source_format"]),
        line=int(row["line"]),  # type: ignore[call-overload]
        title=str(row["title"]),
        authors=tuple(row["authors"] or ()),  # type: ignore[arg-type]
        abstract=row["abstract"],  # type: ignore[arg-type]
        arxiv_id=row["arxiv_id"],  # type: ignore[arg-type]
        urls=tuple(row["urls"] or ()),  # type: ignore[arg-type]
    )


def run(cfg: Config) -> StageResult:
    from pipeline.cache import keep_only, key_of
    from pipeline.engine import map_batches
    from pipeline.ingest.stage import record_chunks
    from pipeline.io import (
        ParquetSink,
        count_rows,
        iter_batches,
        read_table,
        table_from_rows,
        write_bytes,
        write_table,
    )
    from pipeline.schemas import arrow_schema, to_row

    src = cfg.stage_dir("ingest") / "parts.json"
    if not src.exists():
        raise InputError(f"{src}: missing; run the ingest stage first")
    out = cfg.stage_dir("normalise")
    rep_dir = out / "repaired"
    chunks = [(key_of("normalise-repair", key), path) for key, path in record_chunks(cfg)]

    t0 = time.perf_counter()
    # 1. repair (cached per chunk: the key is the ingest chunk's, itself content-addressed)
    todo = [(k, p) for k, p in chunks if not (rep_dir / f"{k}.parquet").exists()]
    payloads = (p.read_bytes() for _, p in todo)
    results = map_batches(repair_chunk, payloads, cfg.workers, cfg.engine, cfg.scheduler)
    for (key, _), res in zip(todo, results, strict=True):
        if res.rejected:
            write_table(
                rep_dir / f"{key}.rejected.parquet", table_from_rows("quarantine", res.rejected)
            )
        write_bytes(rep_dir / f"{key}.parquet", res.repaired)  # last: marks the chunk done
    keep_only(rep_dir, [n for k, _ in chunks for n in (f"{k}.parquet", f"{k}.rejected.parquet")])

    t1 = time.perf_counter()
    # 2. keys
    files = [rep_dir / f"{k}.parquet" for k, _ in chunks]
    t_parts, a_parts, has_parts = [], [], []
    for f in files:
        keys = read_table(f, columns=["key_t", "key_a"])
        t_parts.append(keys.column("key_t").to_numpy())
        key_a = keys.column("key_a")
        has_parts.append(pc.is_valid(key_a).to_numpy(zero_copy_only=False))
        a_parts.append(pc.fill_null(key_a, 0).to_numpy())
    key_t = np.concatenate(t_parts) if t_parts else np.empty(0, np.uint64)
    key_a = np.concatenate(a_parts) if a_parts else np.empty(0, np.uint64)
    has_a = np.concatenate(has_parts) if has_parts else np.empty(0, np.bool_)
    del t_parts, a_parts, has_parts
    shared = shared_key_rows(key_t, key_a, has_a)
    del key_t, key_a, has_a

    # Exact merge of the rows that share a key hash.
    groups: dict[int, Paper] = {}
    merged: dict[str, int] = {}
    if shared.any():

        def shared_rows() -> Iterator[tuple[int, Repaired]]:
            start = 0
            for f in files:
                n = count_rows(f)
                rows = np.flatnonzero(shared[start : start + n])
                if rows.size:
                    table = read_table(f).take(pa.array(rows))
                    for i, row in zip(rows.tolist(), table.to_pylist(), strict=True):
                        yield start + i, _repaired_from_row(row)
                start += n

        drafts, merged = _merge(shared_rows())
        groups = {d.position: d.to_paper() for d in drafts}

    t2 = time.perf_counter()
    # 3. emit
    names = arrow_schema("papers").names
    with ParquetSink(out / "papers.parquet", "papers") as sink:
        start = 0
        for f in files:
            for batch in iter_batches(f, cfg.batch_size, columns=names):
                n = batch.num_rows
                mask = shared[start : start + n]
                if not mask.any():
                    sink.add_table(batch)
                else:
                    rows = [
                        to_row(groups[start + i]) if mask[i] else r
                        for i, r in enumerate(batch.to_pylist())
                        if not mask[i] or (start + i) in groups
                    ]
                    sink.add_table(table_from_rows("papers", rows))
                start += n
    with ParquetSink(out / "rejected.parquet", "quarantine") as rejected_sink:
        for k, _ in chunks:
            path = rep_dir / f"{k}.rejected.parquet"
            if path.exists():
                rejected_sink.add_table(read_table(path, "quarantine"))
    n_rejected = count_rows(out / "rejected.parquet")
    write_json(out / "merged.json", dict(sorted(merged.items())))
    log.debug(
        "normalise: repair %.1fs, keys and merge %.1fs (%d rows share a key), emit %.1fs",
        t1 - t0,
        t2 - t1,
        int(shared.sum()),
        time.perf_counter() - t2,
    )
    return StageResult(
        "normalise",
        {
            "papers": count_rows(out / "papers.parquet"),
            "merged": sum(merged.values()),
            "quarantined": n_rejected,
            "chunks_repaired": len(todo),
            "chunks_reused": len(chunks) - len(todo),
        },
        ("papers.parquet", "rejected.parquet", "merged.json"),
    )
