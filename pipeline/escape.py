"""Escaping of input-controlled text for where it is written: Markdown, terminals.

Terminal lines (warnings, errors) go through `visible_controls`: one line each, nothing obeyed.

File names, titles and evidence come from users' files. In a Markdown table a `|`, a newline
or a backtick in one of them would break the table; on a terminal an escape sequence in a
file name would be obeyed. HTML is escaped where it is written (`html.escape` in the report).
"""

from __future__ import annotations

import unicodedata

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|"})


def visible_controls(text: str) -> str:
    """Control characters (C0, DEL, C1; newlines and tabs too) as `\\xNN` / `\\uNNNN` text."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def md_text(text: str) -> str:
    """`text` as literal Markdown inline text, safe inside a table cell or a list item."""
    return visible_controls(text).translate(_MD_SPECIAL)


def md_code(text: str) -> str:
    """`text` as a Markdown code span when that is safe (no backtick, pipe or control
    character), else as escaped inline text: a file name stays readable either way."""
    if text.isprintable() and "`" not in text and "|" not in text:
        return f"`{text}`"
    return md_text(text)
