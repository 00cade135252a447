"""Paper identity: title keys, arXiv ids and the stable `paper_id`."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata

log = logging.getLogger(__name__)


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
    return title_id(title_key(title))


def title_id(key: str) -> str:
    return "title:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


