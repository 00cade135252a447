"""Normalise stage: repair text, give each paper a stable id, merge duplicates.

Core functions are pure (`normalise_text`, `normalise_title`, `paper_id_for`,
`merge_records`); `run` is the I/O shell that reads `records` and writes `papers`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ftfy
import pyarrow as pa

from pipeline.config import Config
from pipeline.errors import GazetteerError, InputError, Reason
from pipeline.io import read_table, write_json, write_rows
from pipeline.records import Paper, Record, Rejected, StageResult

DATA_DIR = Path(__file__).resolve().parent.parent / "gazetteers" / "normalise"
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_latin_ligatures=True, normalization="NFC")


def _data_lines(path: Path) -> Iterator[tuple[int, str]]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            yield lineno, line.rstrip("\n")


@cache
def _see_more_re() -> re.Pattern[str]:
    path = DATA_DIR / "see_more.txt"
    markers = sorted({m.strip() for _, m in _data_lines(path)}, key=len, reverse=True)
    if not markers:
        raise GazetteerError(f"{path}: no markers")
    alternation = "|".join(re.escape(m) for m in markers)
    # "…" or "...", an optional space, then "(marker)"; the cut word is re-joined.
    return re.compile(rf"(?:…|\.\.\.)\s?\((?:{alternation})\)", re.IGNORECASE)


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
_TIMES_BETWEEN = re.compile(r"(?<=\d)\s*\{?times\}?\s*(?=\d)")
_TIMES_AFTER = re.compile(r"(?<=\d)\{?times\}?(?![A-Za-z])")
_MULT_SPACES = re.compile(r"(?<=\d)\s*×\s*(?=\d)")
_BRACED_OP = re.compile(r"\{([=<>+\-,.:;])\}")
_ESCAPED = re.compile(r"\\([%&#_$])")
_TEXT_CMD = re.compile(
    r"\\(?:textbf|textit|emph|mathrm|mathbf|mathcal|text|texttt|textsc)\{([^{}]*)\}"
)
_EM_GROUP = re.compile(r"\{\\(?:em|bf|it|rm|tt)\s+([^{}]*)\}")
_INLINE_MATH = re.compile(r"\$([^$]{1,80})\$")
_TIE = re.compile(r"(?<=\S)~(?=[A-Za-z(])")


def splice_markers(text: str) -> str:
    """Remove "… (voir plus)"-style markers, re-joining the word they cut."""
    return _see_more_re().sub("", text)


def replace_latex(text: str) -> str:
    """Make LaTeX debris readable while keeping its meaning."""
    table = _latex_table()
    text = _INLINE_MATH.sub(lambda m: m.group(1), text)
    text = _TEXT_CMD.sub(lambda m: m.group(1), text)
    text = _EM_GROUP.sub(lambda m: m.group(1), text)
    text = _latex_re().sub(lambda m: table[m.group(1) or m.group(2)], text)
    text = _TIMES_BETWEEN.sub("×", text)
    text = _TIMES_AFTER.sub("×", text)
    text = _MULT_SPACES.sub("×", text)
    text = _BRACED_OP.sub(lambda m: m.group(1), text)
    text = _ESCAPED.sub(lambda m: m.group(1), text)
    return _TIE.sub(" ", text)


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LATEX_TRIGGERS = ("\\", "{", "$", "~", "times", "×")


def _repair_once(text: str) -> str:
    # Pure ASCII without entities has nothing for ftfy to fix; skipping it is most of the
    # speed on arXiv-scale corpora (ftfy is ~450 µs per abstract).
    out = text if text.isascii() and "&" not in text else ftfy.fix_text(text, _FTFY)
    out = _CONTROL.sub(" ", out)
    if "…" in out or "..." in out:
        out = splice_markers(out)
    if any(t in out for t in _LATEX_TRIGGERS):
        out = replace_latex(out)
    return collapse_whitespace(out)


def normalise_text(text: str) -> str:
    """Repair an abstract or title: Unicode, markers, LaTeX debris, whitespace.

    Idempotent: normalise_text(normalise_text(s)) == normalise_text(s).
    """
    out = _repair_once(text)
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
    return collapse_whitespace(ftfy.fix_text(text, _FTFY)).strip(" ,;")


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
    return "title:" + hashlib.sha1(title_key(title).encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class _Draft:
    """A paper being assembled from one or more records."""

    first: Record
    title: str
    authors: tuple[str, ...]
    abstract: str | None
    arxiv_id: str | None
    urls: list[str]
    sources: list[str] = field(default_factory=list)

    def absorb(
        self, rec: Record, authors: tuple[str, ...], abstract: str | None, arxiv_id: str | None
    ) -> None:
        """Fill what the first record lacked; keep every source and URL."""
        if not self.authors and authors:
            self.authors = authors
        if self.abstract is None and abstract:
            self.abstract = abstract
        if self.arxiv_id is None and arxiv_id:
            self.arxiv_id = arxiv_id
        for u in rec.urls:
            if u not in self.urls:
                self.urls.append(u)
        self.sources.append(f"{rec.source_file}:{rec.line}")

    def to_paper(self) -> Paper:
        return Paper(
            paper_id=paper_id_for(self.arxiv_id, self.title),
            title=self.title,
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


def merge_records(records: Iterable[Record]) -> NormaliseResult:
    """Repair every record and merge duplicates (same arXiv id, or same title key).

    Records must come in a stable order (file name, line); the first record of a paper
    gives its title and source, later ones fill gaps and are counted as merged.
    """
    drafts: list[_Draft] = []
    by_key: dict[str, int] = {}
    rejected: list[Rejected] = []
    merged: dict[str, int] = {}
    for rec in records:
        title = normalise_title(rec.title or "")
        if not title:
            rejected.append(
                Rejected(
                    stage="normalise",
                    source_file=rec.source_file,
                    line=rec.line,
                    reason=Reason.NO_TITLE.value,
                    detail=f"{rec.source_file}:{rec.line}: record has no title after repair",
                    record=rec.raw or "{}",
                )
            )
            continue
        authors = tuple(a for a in (normalise_author(x) for x in rec.authors) if a)
        abstract = normalise_text(rec.abstract) if rec.abstract else None
        arxiv_id = clean_arxiv_id(rec.arxiv_id)
        keys = [f"t:{title_key(title)}"] + ([f"a:{arxiv_id}"] if arxiv_id else [])
        hit = next((by_key[k] for k in keys if k in by_key), None)
        if hit is None:
            draft = _Draft(rec, title, authors, abstract or None, arxiv_id, list(rec.urls))
            draft.sources.append(f"{rec.source_file}:{rec.line}")
            hit = len(drafts)
            drafts.append(draft)
        else:
            # An arXiv id already owned by another paper must not be adopted twice.
            owner = by_key.get(f"a:{arxiv_id}", hit) if arxiv_id else hit
            drafts[hit].absorb(rec, authors, abstract or None, arxiv_id if owner == hit else None)
            merged[rec.source_file] = merged.get(rec.source_file, 0) + 1
        for k in keys:
            by_key.setdefault(k, hit)
    return NormaliseResult([d.to_paper() for d in drafts], rejected, merged)


def records_from_table(table: pa.Table) -> Iterator[Record]:
    for batch in table.to_batches(max_chunksize=10_000):
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
                raw=row["raw"],
            )


def run(cfg: Config) -> StageResult:
    src = cfg.stage_dir("ingest") / "records.parquet"
    if not src.exists():
        raise InputError(f"{src}: missing; run the ingest stage first")
    out = cfg.stage_dir("normalise")
    result = merge_records(records_from_table(read_table(src, "records")))
    write_rows(out / "papers.parquet", "papers", result.papers)
    write_rows(out / "rejected.parquet", "quarantine", result.rejected)
    write_json(out / "merged.json", dict(sorted(result.merged.items())))
    return StageResult(
        "normalise",
        {
            "papers": len(result.papers),
            "merged": sum(result.merged.values()),
            "quarantined": len(result.rejected),
        },
        ("papers.parquet", "rejected.parquet", "merged.json"),
    )
