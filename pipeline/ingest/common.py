"""Helpers shared by the ingest readers: decoding, compact JSON text, rejections, sniffing.

Decoding rule (every reader): bytes are UTF-8; a leading BOM is dropped; CRLF and LF both end a
line. Invalid UTF-8 bytes are decoded with `errors="replace"` (each bad byte becomes U+FFFD)
and the record is still read: nothing is dropped here, and the normaliser repairs text later.
Lone surrogates that JSON escapes can smuggle in (`"\\ud800"`) are replaced by U+FFFD too, so
every string a reader yields can be written as UTF-8.
"""

from __future__ import annotations

import codecs
import io
import json
import math
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import regex

from pipeline.errors import Reason
from pipeline.records import Rejected

STAGE = "ingest"
SNIFF_BYTES = 64 * 1024
"""How much of a file (after gunzip) the sniffers see."""
BOM = b"\xef\xbb\xbf"

_SURROGATE = regex.compile(r"[\ud800-\udfff]")
_JSON_KEY = regex.compile(r'"((?:[^"\\\n]|\\.){1,64})"\s*:')
_ARXIV_URL = regex.compile(
    r"arxiv\.org/(?:abs|pdf|html)/"
    r"((?:[a-z][a-z.-]*/\d{7})|(?:\d{4}\.\d{4,5}))(?:v\d+)?",
    regex.IGNORECASE,
)
_ARXIV_ID = regex.compile(r"(?:[a-z][a-z.-]*/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", regex.IGNORECASE)


class BinarySource(Protocol):
    """An open binary file (plain, gzip or in-memory)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


class TextSource(Protocol):
    """An open text file; readers accept it as well as bytes."""

    def read(self, size: int = -1, /) -> str: ...

    def readline(self, size: int = -1, /) -> str: ...


Source = BinarySource | TextSource


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (BOM dropped, invalid bytes replaced by U+FFFD)."""
    return data.decode("utf-8-sig", errors="replace")


UTF8 = "utf-8"
DETECT_BYTES = 1 << 20
"""How much of a non-UTF-8 text file the encoding detector reads (from the first invalid byte
on): enough for charset-normalizer, bounded whatever the file size."""


def is_utf8(data: bytes, final: bool = True) -> bool:
    """`data` is valid UTF-8 (with `final=False`, a character cut at the end is allowed)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


WESTERN = ("cp1252", "iso8859-1", "iso8859-15")
"""Preferred, in this order, among encodings the detector finds equally likely: single-byte
pages often decode without error in several code pages, and ML listings are mostly Western."""


def detect_encoding(sample: bytes) -> str | None:
    """The encoding charset-normalizer finds for bytes that are not UTF-8 (a Python codec
    name, e.g. `cp1252`), or None when it finds none.

    A sample with more valid UTF-8 characters than broken bytes is UTF-8 with errors (None).
    Among the detector's best-scored matches (same chaos and coherence, to 0.01) a Western
    code page is preferred; so is cp1252 when it reads the sample into the winner's text.
    """
    from charset_normalizer import from_bytes

    text = sample.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    if sum(1 for c in text if ord(c) > 127) - broken > broken:
        return None  # UTF-8 with a few broken bytes: those are replaced (and counted)
    matches = list(from_bytes(sample))
    if not matches:
        return None
    top = matches[0]
    tier = {codecs.lookup(m.encoding).name for m in matches
            if m.chaos <= top.chaos + 0.01 and m.coherence >= top.coherence - 0.01}
    choice = next((w for w in WESTERN if w in tier), codecs.lookup(top.encoding).name)
    if choice not in WESTERN:
        try:
            if sample.decode("cp1252") == str(top):
                choice = "cp1252"
        except UnicodeDecodeError:
            pass
    return None if choice == UTF8 else choice


class Recoded:
    """A binary source of another encoding read as UTF-8 bytes (what every reader expects).

    Characters the encoding cannot map become U+FFFD (counted like invalid UTF-8)."""

    def __init__(self, fh: BinarySource, encoding: str) -> None:
        self._text = io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="")  # type: ignore[type-var]

    def readline(self, size: int = -1, /) -> bytes:
        return self._text.readline(size).encode("utf-8", "surrogatepass")

    def read(self, size: int = -1, /) -> bytes:
        return self._text.read(size if size is not None and size >= 0 else -1).encode(
            "utf-8", "surrogatepass")


class DocumentTooLarge(Exception):
    """A whole-document read (`read()`) went past its limit."""

    def __init__(self, nbytes: int, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.nbytes = nbytes
        self.limit = limit


DOCUMENT_FACTOR = 8
"""A format read as one document (a JSON array, an HF or PwC export, a Parquet file that is
not seekable, e.g. gzipped) may be this many times the record limit (256 MB by default)."""
_SKIP_CHUNK = 1 << 20


def skip_rest_of_line(fh: BinarySource) -> int:
    """Read to the end of the current line in 1 MiB pieces, holding none; the bytes read."""
    total = 0
    while piece := fh.readline(_SKIP_CHUNK):
        total += len(piece)
        if piece.endswith(b"\n"):
            break
    return total


class BoundedSource:
    """A binary source whose lines are at most `max_bytes` and whose whole reads at most
    `DOCUMENT_FACTOR * max_bytes`: memory stays bounded whatever the input.

    A longer line is never held: it is consumed in 1 MiB pieces, noted in `oversized` as
    (line number, bytes), and read as an empty line in its place (every reader skips blank
    lines), so the reader goes on with the next line and line numbers stay right.
    """

    def __init__(self, fh: BinarySource, max_bytes: int) -> None:
        self._fh = fh
        self.max_bytes = max_bytes
        self.lineno = 0
        self.oversized: list[tuple[int, int]] = []

    def readline(self, size: int = -1, /) -> bytes:
        line = self._fh.readline(self.max_bytes + 1)
        if not line:
            return line
        self.lineno += 1
        if len(line) <= self.max_bytes or line.endswith(b"\n"):
            return line
        self.oversized.append((self.lineno, len(line) + skip_rest_of_line(self._fh)))
        return b"\n"

    def seekable(self) -> bool:
        """A seekable underlying file stays seekable (Parquet is read by row groups)."""
        seekable = getattr(self._fh, "seekable", None)
        return bool(callable(seekable) and seekable())

    def seek(self, offset: int, whence: int = 0, /) -> int:
        return int(getattr(self._fh, "seek")(offset, whence))  # noqa: B009 (not in the Protocol)

    def tell(self) -> int:
        return int(getattr(self._fh, "tell")())  # noqa: B009

    @property
    def closed(self) -> bool:
        return bool(getattr(self._fh, "closed", False))

    def read(self, size: int = -1, /) -> bytes:
        if size is not None and size >= 0:
            return self._fh.read(size)
        limit = DOCUMENT_FACTOR * self.max_bytes
        data = self._fh.read(limit + 1)
        if len(data) > limit:
            total = len(data)
            del data
            while piece := self._fh.read(_SKIP_CHUNK):
                total += len(piece)
            raise DocumentTooLarge(total, limit)
        return data


def iter_lines(fh: Source) -> Iterator[tuple[int, str]]:
    """Yield `(1-based line number, text)` without the line end; lines of any length."""
    lineno = 0
    while True:
        chunk = fh.readline()
        if not chunk:
            return
        lineno += 1
        if isinstance(chunk, bytes):
            if lineno == 1 and chunk.startswith(BOM):
                chunk = chunk[len(BOM) :]
            text = chunk.decode("utf-8", errors="replace")
        else:
            text = chunk[1:] if lineno == 1 and chunk.startswith("\ufeff") else chunk
        if text.endswith("\n"):
            text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
        yield lineno, clean(text)


def read_text(fh: Source) -> str:
    """The whole stream as text (BOM dropped, invalid UTF-8 replaced)."""
    data = fh.read()
    if isinstance(data, bytes):
        return decode_bytes(data)
    return data.removeprefix("\ufeff")


def clean(text: str) -> str:
    """Replace lone surrogates by U+FFFD so the text is valid Unicode."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


def json_text(obj: Any) -> str:
    """Compact JSON text of `obj` (non-ASCII kept, lone surrogates escaped, odd types as str)."""
    try:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)
    except (ValueError, RecursionError):
        # NaN/Infinity are not JSON; a nesting too deep for json.dumps gets its repr.
        try:
            text = json.dumps(_jsonable(obj), ensure_ascii=False, separators=(",", ":"),
                              default=str)
        except (ValueError, RecursionError):
            text = json.dumps({"repr": repr(obj)[:10_000]}, ensure_ascii=False)
    if not text.isascii() and _SURROGATE.search(text):
        return json.dumps(json.loads(text), ensure_ascii=True, separators=(",", ":"))
    return text


def where(name: str, line: int | None) -> str:
    """`file:line`, or just `file` for whole-file problems."""
    return name if line is None else f"{name}:{line}"


def reject(name: str, line: int | None, reason: Reason, message: str, record: Any) -> Rejected:
    """A `Rejected` of the ingest stage; `message` is prefixed with `file:line: `."""
    return Rejected(
        stage=STAGE,
        source_file=name,
        line=line,
        reason=reason.value,
        detail=f"{where(name, line)}: {message}",
        record=json_text(record),
    )


def loads_json(text: str) -> tuple[Any, str | None, int | None]:
    """Parse JSON; `(value, None, None)`, or `(None, message, line)` (line within `text`)."""
    try:
        return json.loads(text), None, None
    except json.JSONDecodeError as e:
        return None, f"invalid JSON at column {e.colno}: {e.msg}", e.lineno
    except (ValueError, RecursionError) as e:
        # ValueError: an integer longer than Python's int-string limit; RecursionError: nesting.
        return None, f"invalid JSON: {type(e).__name__}: {e}"[:300], None


def error_excerpt(text: str, line: int | None) -> str:
    """The source line a JSON error points at (cut to 500 characters)."""
    if line is None:
        return text[:500]
    lines = text.split("\n")  # JSONDecodeError counts "\n" only
    return lines[line - 1].removesuffix("\r")[:500] if 0 < line <= len(lines) else ""


def str_or_none(value: Any) -> str | None:
    """`value` cleaned when it is a non-blank string, else None."""
    if isinstance(value, str) and value.strip():
        return clean(value)
    return None


def split_author_string(text: str) -> tuple[str, ...]:
    """Split "A, B and C" / "A; B" / "A and B" into names (as printed, trimmed)."""
    text = text.strip()
    if not text:
        return ()
    if ";" in text:
        parts = text.split(";")
    else:
        parts = regex.split(r",\s*(?:and\s+)?|\s+and\s+", text)
    return tuple(clean(p.strip()) for p in parts if p.strip())


def authors_from(value: Any) -> tuple[str, ...]:
    """Authors from a list of names, a list of `{name}` objects, or one string."""
    if isinstance(value, str):
        return split_author_string(value)
    if not isinstance(value, list):
        return ()
    out: list[str] = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("name") or item.get("fullname")
        if isinstance(item, str) and item.strip():
            out.append(clean(item.strip()))
    return tuple(out)


def urls_from(*values: Any) -> tuple[str, ...]:
    """Non-empty URL strings from strings, lists of strings or lists of `{url}`, deduplicated."""
    out: list[str] = []
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                item = item.get("url")
            if isinstance(item, str) and item.strip() and clean(item.strip()) not in out:
                out.append(clean(item.strip()))
    return tuple(out)


def arxiv_id_from_url(url: str) -> str | None:
    """The arXiv id (without version) in an arxiv.org abs/pdf URL."""
    m = _ARXIV_URL.search(url)
    return m.group(1) if m else None


def arxiv_id_from(value: Any, urls: Iterable[str] = ()) -> str | None:
    """An arXiv id given as a field value (`2410.17243`, `math/0601001`), as read; else the
    first one found in the source's arXiv abs/pdf URLs."""
    if isinstance(value, str) and _ARXIV_ID.fullmatch(value.strip()):
        return clean(value.strip())
    return next((a for u in urls if (a := arxiv_id_from_url(u))), None)


def head_text(head: bytes) -> str:
    """Decode a sniffing head; a character cut at the end is dropped, not replaced."""
    if head.startswith(BOM):
        head = head[len(BOM) :]
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return head.decode("utf-8", errors="replace")


def json_keys(text: str) -> set[str]:
    """Object keys visible in a (possibly cut) JSON text."""
    return {m.group(1) for m in _JSON_KEY.finditer(text)}


def json_start(text: str) -> str:
    """The first non-blank character (`{`, `[`, ...) or ''."""
    stripped = text.lstrip()
    return stripped[:1]


_JSON_ARRAY_START = regex.compile(r"\[\s*(?:[{\[\"\d-]|true\b|false\b|null\b|\])")
_LIST_NUMBER_START = regex.compile(r"\[\d{1,5}\][ \t]*[^\s,\]}]")


def looks_like_json(text: str) -> bool:
    """The head starts as a JSON document would: `{`, or `[` followed by a JSON value, but
    not a text whose first line opens with a list number ("[0] A New Representation ...")
    or a markdown link ("[Title](url)")."""
    stripped = text.lstrip()
    if stripped[:1] == "{":
        return True
    return bool(_JSON_ARRAY_START.match(stripped)) and not _LIST_NUMBER_START.match(stripped)


def first_json_line(text: str, max_lines: int = 20) -> Any:
    """The first of the head's complete lines (up to `max_lines`) that parses as a JSON object.

    A corrupt first line does not hide the JSON lines after it; None when no line parses.
    """
    lines = text.lstrip().split("\n")[:-1]  # the last piece may be cut by the head limit
    for line in lines[:max_lines]:
        if not line.strip():
            continue
        value, err, _ = loads_json(line)
        if err is None and isinstance(value, dict):
            return value
    return None


def looks_json_lines(text: str) -> bool:
    """The head starts with a one-line JSON object (JSON lines, not a pretty-printed doc)."""
    stripped = text.lstrip()
    first, sep, _ = stripped.partition("\n")
    if not first.startswith("{") or first.strip() == "{":
        return False
    if isinstance(first_json_line(stripped), dict):
        return True
    if regex.match(r'\{\s*"', first) is None:
        return False
    # A first line longer than the head (huge records), or one nested deeper than the parser
    # goes (its reader quarantines it as PC101): an object that opens with a key.
    return not sep or json_too_deep(first)


def json_too_deep(text: str) -> bool:
    """`text` starts like JSON nested deeper than Python's parser allows (RecursionError)."""
    try:
        json.loads(text)
    except RecursionError:
        return True
    except ValueError:
        return False
    return False


def load_document(fh: Source, name: str) -> tuple[Any, Rejected | None]:
    """Parse a whole-file JSON document; on failure one `Rejected` PC101 with line and column."""
    text = read_text(fh)
    value, err, line = loads_json(text)
    if err is None:
        return value, None
    return None, reject(
        name, line, Reason.INVALID_JSON, f"{err}; fix the JSON (e.g. a trailing comma) and rerun",
        {"error": err, "excerpt": error_excerpt(text, line)},
    )
