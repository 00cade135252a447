"""Ingest: find the raw input files, detect each one's format from its content, and stream
its records.

One module per format, each with `FORMAT`, `sniff(head) -> bool` and
`read(fh, name) -> Iterator[Record | Rejected]`. `scan_inputs` sniffs every file from its
first 64 KiB (gunzipped when the file starts with the gzip magic bytes) by trying the readers
in `SNIFF_ORDER`; `read_input` streams one file. Bad content never raises: it becomes a
`Rejected` row (see `pipeline.errors.Reason`) and reading goes on.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import logging
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from pipeline.config import DEFAULT_MAX_RECORD_BYTES, MB
from pipeline.errors import Reason
from pipeline.ingest import (
    arxiv_jsonl,
    hf_daily,
    listing_text,
    pwc_leaderboard,
    pwc_papers,
    table,
)
from pipeline.ingest.common import (
    DETECT_BYTES,
    SNIFF_BYTES,
    UTF8,
    BoundedSource,
    DocumentTooLarge,
    Recoded,
    Source,
    decode_bytes,
    detect_encoding,
    is_utf8,
    json_start,
    json_too_deep,
    reject,
)
from pipeline.records import Record, Rejected

log = logging.getLogger(__name__)

__all__ = ["KNOWN_FORMATS", "InputFile", "read_input", "scan_inputs"]

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


class Reader(Protocol):
    """What every format module provides."""

    FORMAT: str

    def sniff(self, head: bytes) -> bool: ...

    def read(self, fh: Source, name: str) -> Iterator[Record | Rejected]: ...


class _ReaderModule:
    """Adapter so modules type-check as `Reader` (mypy reads modules' functions as attributes)."""

    def __init__(self, format_id: str, sniff: Callable[[bytes], bool],
                 read: Callable[[Source, str], Iterator[Record | Rejected]]) -> None:
        self.FORMAT = format_id
        self._sniff = sniff
        self._read = read

    def sniff(self, head: bytes) -> bool:
        return self._sniff(head)

    def read(self, fh: Source, name: str) -> Iterator[Record | Rejected]:
        return self._read(fh, name)


_READERS: dict[str, Reader] = {
    m.FORMAT: _ReaderModule(m.FORMAT, m.sniff, m.read)
    for m in (listing_text, arxiv_jsonl, pwc_papers, pwc_leaderboard, hf_daily, table)
}
KNOWN_FORMATS: tuple[str, ...] = tuple(_READERS)
"""Format ids of the readers."""
SNIFF_ORDER: tuple[str, ...] = (
    arxiv_jsonl.FORMAT,
    pwc_leaderboard.FORMAT,
    hf_daily.FORMAT,
    pwc_papers.FORMAT,
    table.FORMAT,
    listing_text.FORMAT,
)
"""Most specific first: JSON shapes by their keys, then generic tables, then free text."""


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file of the raw folder and what its content looks like."""

    name: str
    """Path relative to the raw folder, posix separators."""
    sha256: str
    """Of the file bytes as stored (compressed if gzip); empty when the file is unreadable."""
    size: int
    """Bytes as stored."""
    format: str | None
    """Detected format id; None when unknown, empty or unreadable."""
    compression: str | None
    """"gzip" or None."""
    problem: Rejected | None
    """Why `format` is None: PC103 unknown format, PC104 empty file, PC107 unreadable,
    PC109 not a regular file, PC110 a symlink not followed, PC111 kept changing."""
    encoding: str = UTF8
    """The text encoding the file is read in: `utf-8`, or what charset-normalizer detected
    for a text file that is not UTF-8 (`cp1252`, `latin_1`, ...)."""
    stamp: tuple[int, int, int] | None = field(default=None, compare=False)
    """(size, mtime in ns, inode) when hashed: reading it later checks it is the same file."""


def detect_format(head: bytes) -> str | None:
    """The first format (in `SNIFF_ORDER`) whose sniffer accepts the head, else None."""
    for format_id in SNIFF_ORDER:
        if _READERS[format_id].sniff(head):
            return format_id
    return None


def _file_problem(name: str, reason: Reason, message: str, record: dict[str, Any]) -> Rejected:
    return reject(name, None, reason, message, {"file": name, **record})


def gunzip_head(data: bytes) -> bytes:
    """The first `SNIFF_BYTES` that a (possibly truncated, multi-member) gzip stream inflates to.

    Raises `zlib.error` for bytes that are not a gzip stream.
    """
    out = b""
    while data and len(out) < SNIFF_BYTES:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += inflater.decompress(data, SNIFF_BYTES - len(out))
        if not inflater.eof:
            break
        data = inflater.unused_data
    return out


CHANGE_RETRIES = 3
"""Times a file that changes while it is hashed or read is taken again before PC111."""


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime in ns, inode) of a file, None if it cannot be stat'ed: what changes
    when the file is rewritten or replaced."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def changed_problem(name: str) -> Rejected:
    return _file_problem(
        name, Reason.CHANGED,
        f"the file kept changing while it was read ({CHANGE_RETRIES} tries); not read "
        "(run again once whatever writes it has finished)", {})


def inspect_file(raw_dir: Path, name: str) -> InputFile:
    """Hash, size, compression and format of one raw file (never raises for its content).

    A file that changes while it is hashed is hashed again; after `CHANGE_RETRIES` changes
    it is PC111. The result carries the file's stamp, for `read_input`'s callers to check.
    """
    path = raw_dir / name
    for _ in range(CHANGE_RETRIES):
        before = file_stamp(path)
        f = _inspect_once(raw_dir, name)
        after = file_stamp(path)
        if before == after:
            return replace(f, stamp=after)
    return InputFile(name, "", _size(path), None, None, changed_problem(name))


def _inspect_once(raw_dir: Path, name: str) -> InputFile:
    path = raw_dir / name
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    sample: bytes | None = None  # from the first bytes that are not UTF-8, for the detector
    try:
        with path.open("rb") as fh:
            first = fh.read(_CHUNK)
            validate = not first.startswith((GZIP_MAGIC, table.PARQUET_MAGIC))
            chunk = first
            while chunk:
                digest.update(chunk)
                if sample is not None:
                    if len(sample) < DETECT_BYTES:
                        sample += chunk[: DETECT_BYTES - len(sample)]
                elif validate:
                    try:
                        utf8.decode(chunk)
                    except UnicodeDecodeError as err:
                        sample = chunk[max(err.start - 4096, 0) :]
                chunk = fh.read(_CHUNK)
            size = fh.tell()
    except OSError as e:
        log.debug("%s: unreadable: %s", name, e)
        problem = _file_problem(
            name, Reason.UNREADABLE,
            f"cannot read the file ({type(e).__name__}: {e}); check its permissions",
            {"error": str(e)})
        return InputFile(name, "", _size(path), None, None, problem)
    sha = digest.hexdigest()
    compression = "gzip" if first.startswith(GZIP_MAGIC) else None
    head = first[:SNIFF_BYTES]
    if compression:
        try:
            head = gunzip_head(first)
        except zlib.error as e:
            problem = _file_problem(
                name, Reason.UNREADABLE,
                f"starts like gzip but does not decompress ({e}); re-download the file",
                {"size": size, "error": str(e)})
            return InputFile(name, sha, size, None, compression, problem)
    if not head:
        what = "gzip stream decompresses to nothing" if compression else "file is empty"
        problem = _file_problem(name, Reason.EMPTY_FILE, f"{what}; remove it or re-download it",
                                {"size": size})
        return InputFile(name, sha, size, None, compression, problem)
    encoding = UTF8
    if compression and not is_utf8(head, final=False) and not head.startswith(table.PARQUET_MAGIC):
        sample = head
    if sample is not None:
        encoding = detect_encoding(sample) or UTF8  # none found: U+FFFD, counted, last resort
        if encoding != UTF8:
            head = head.decode(encoding, errors="replace").encode("utf-8")
    format_id = detect_format(head)
    text = decode_bytes(head) if format_id is None else ""
    if format_id is None and json_start(text) in ("{", "[") and json_too_deep(text):
        problem = _file_problem(
            name, Reason.INVALID_JSON,
            "JSON nested deeper than the parser allows (RecursionError); flatten the file",
            {"size": size})
        return InputFile(name, sha, size, None, compression, problem)
    if format_id is None:
        problem = _file_problem(
            name, Reason.UNKNOWN_FORMAT,
            f"unknown format; known formats: {', '.join(KNOWN_FORMATS)} (detected from the "
            "content, not the name)",
            {"size": size, "head": decode_bytes(head[:200])})
        log.debug("%s: unknown format", name)
        return InputFile(name, sha, size, None, compression, problem)
    log.debug("%s: %s%s (%s)", name, format_id, " (gzip)" if compression else "", encoding)
    return InputFile(name, sha, size, format_id, compression, None, encoding)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _is_hidden(part: str) -> bool:
    return part.startswith(".")


@dataclass(frozen=True, slots=True)
class Entry:
    """One non-hidden entry of the raw folder: a file to read, or why it is not read."""

    name: str
    """Path relative to the raw folder, posix separators."""
    problem: Rejected | None = None
    """PC109 (FIFO, socket, device) or PC110 (a symlink not followed); None: read it."""


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "not a regular file"


def _skip(name: str, reason: Reason, why: str, fix: str) -> Entry:
    """An entry that is not read, with its reason, what it is and how to fix it."""
    return Entry(name, _file_problem(name, reason, f"{why}; not read ({fix})", {"entry": why}))


def _entry(raw_root: Path, path: Path, name: str, follow_symlinks: bool) -> Entry:
    """What to do with one non-directory entry (`raw_root` resolved)."""

    def skip(reason: Reason, why: str, fix: str) -> Entry:
        return _skip(name, reason, why, fix)

    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            return skip(Reason.LINK_SKIPPED, "a dangling symlink (its target does not exist)",
                        "fix or remove the link")
        except (RuntimeError, OSError):  # ELOOP
            return skip(Reason.LINK_SKIPPED, "a symlink loop (or a link that cannot be resolved)",
                        "fix or remove the link")
        inside = target.is_relative_to(raw_root)
        if not inside and not follow_symlinks:
            return skip(Reason.LINK_SKIPPED, "a symlink to a file outside the raw folder",
                        "copy the file in, or pass --follow-symlinks")
    try:
        mode = path.stat().st_mode
    except OSError as e:
        return skip(Reason.UNREADABLE, f"cannot stat the entry ({type(e).__name__})",
                    "check its permissions")
    if not stat.S_ISREG(mode):
        return skip(Reason.NOT_A_FILE, _kind(mode), "only regular files are inputs")
    return Entry(name)


def list_entries(raw_dir: Path, follow_symlinks: bool = False) -> list[Entry]:
    """Every non-hidden entry under `raw_dir` that is not a real folder, sorted by name.

    Folders are walked without following symlinks; a symlinked folder is an entry of its own
    (PC110: its files are either in the raw folder already or outside it). A symlinked file is
    read only when its target lies inside the raw folder, or with `follow_symlinks`.
    """
    root = raw_dir.resolve()
    out: list[Entry] = []
    for dirpath, dirnames, filenames in os.walk(raw_dir):
        here = Path(dirpath)
        kept = []
        for d in dirnames:
            if _is_hidden(d):
                continue
            if (here / d).is_symlink():
                out.append(_skip((here / d).relative_to(raw_dir).as_posix(),
                                 Reason.LINK_SKIPPED, "a symlinked folder",
                                 "copy its files into the raw folder"))
            else:
                kept.append(d)
        dirnames[:] = sorted(kept)
        for filename in filenames:
            if not _is_hidden(filename):
                path = here / filename
                out.append(_entry(root, path, path.relative_to(raw_dir).as_posix(),
                                  follow_symlinks))
    return sorted(out, key=lambda e: e.name)


def scan_inputs(raw_dir: Path, follow_symlinks: bool = False) -> list[InputFile]:
    """Every non-hidden entry under `raw_dir` (recursively), sorted by name: the regular files
    sniffed, the others (special files, symlinks not followed) with their problem."""
    return [
        inspect_file(raw_dir, e.name) if e.problem is None
        else InputFile(e.name, "", 0, None, None, e.problem)
        for e in list_entries(raw_dir, follow_symlinks)
    ]


def too_large(name: str, line: int | None, nbytes: int, limit: int, what: str) -> Rejected:
    """PC108 for a line or document longer than the limit (never read whole)."""
    return reject(
        name, line, Reason.TOO_LARGE,
        f"{what} of {nbytes / MB:,.1f} MB is longer than the {limit / MB:,.0f} MB limit; "
        "not read (split it, or raise --max-record-mb)",
        {"file": name, "line": line, "bytes": nbytes, "limit": limit},
    )


def read_input(
    raw_dir: Path, f: InputFile, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[Record | Rejected]:
    """Stream the records of one scanned file; a file without a format yields its problem.

    Lines longer than `max_record_bytes` become PC108 rows (in line order) and reading goes
    on; a whole-document format longer than `DOCUMENT_FACTOR` times that is one PC108 row.
    """
    if f.format is None:
        yield f.problem or _file_problem(
            f.name, Reason.UNKNOWN_FORMAT,
            f"unknown format; known formats: {', '.join(KNOWN_FORMATS)}", {})
        return
    reader = _READERS[f.format]
    count = 0
    try:
        with (raw_dir / f.name).open("rb") as plain:
            fh: Any = gzip.GzipFile(fileobj=plain, mode="rb") if f.compression == "gzip" else plain
            if f.encoding != UTF8:
                fh = Recoded(fh, f.encoding)
            bounded = BoundedSource(fh, max_record_bytes)
            for item in reader.read(bounded, f.name):
                while bounded.oversized:
                    line, nbytes = bounded.oversized.pop(0)
                    count += 1
                    yield too_large(f.name, line, nbytes, max_record_bytes, f"line {line}")
                count += 1
                yield item
            for line, nbytes in bounded.oversized:
                count += 1
                yield too_large(f.name, line, nbytes, max_record_bytes, f"line {line}")
    except DocumentTooLarge as e:
        yield too_large(f.name, None, e.nbytes, e.limit, "the document")
    except (OSError, EOFError, zlib.error) as e:
        # A truncated gzip or a disk error: keep what was read, say where it stopped.
        yield _file_problem(
            f.name, Reason.UNREADABLE,
            f"reading stopped after {count} items ({type(e).__name__}: {e}); "
            "re-download the file", {"items_read": count, "error": str(e)})
