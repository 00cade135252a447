"""Find, repair, normalise and classify URLs (code / project / other)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import regex

from pipeline.extract import resources
from pipeline.records import CodeLink, LinkKind

_TRAILING = ".,;:!?'\"”’)]}>*"
_DEBRIS_BRACE = regex.compile(r"\{[^{}]*\}?$")
_GIT_SUFFIX = regex.compile(r"\.git$", regex.IGNORECASE)
# The paper's own arXiv page or PDF: an identity link, not content.
_ARXIV_SELF = regex.compile(
    r"(?i)^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"((?:[a-z][a-z.-]*/\d{7})|(?:\d{4}\.\d{4,5}))(?:v\d+)?(?:\.pdf)?/?$"
)


def repair_url(raw: str) -> str:
    """Strip LaTeX/markdown debris and trailing sentence punctuation from a found URL."""
    url = raw.strip()
    # "https://github.com/a/b{https://github.com/a/b}" (\href debris) -> first copy.
    if "{" in url:
        url = url.split("{", 1)[0]
    url = url.split("}", 1)[0]
    url = _DEBRIS_BRACE.sub("", url)
    while True:
        before = url
        while url and url[-1] in _TRAILING:
            # Keep a ")" that closes a "(" inside the URL (wiki-style paths).
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        url = _GIT_SUFFIX.sub("", url)
        if url == before:
            break
    return url


def normalise_url(raw: str) -> str | None:
    """https, lowercase host, path case kept, no trailing slash, no `.git`; None if junk."""
    url = repair_url(raw)
    if not url:
        return None
    if not regex.match(r"(?i)^https?://", url):
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or "." not in host or not regex.fullmatch(r"[a-z0-9.-]+", host):
        return None
    netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    path = _GIT_SUFFIX.sub("", path)
    query = parts.query
    return urlunsplit(("https", netloc, path, query, ""))


def classify_url(url: str, project_cue: bool = False) -> LinkKind:
    """Kind by the host rules in `gazetteers/url_hosts.csv`; unknown hosts are project pages."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path
    for rule in resources.host_rules():
        if host == rule.host or host.endswith("." + rule.host):
            if not rule.path_prefix or path.startswith(rule.path_prefix):
                if rule.kind == "code" and rule.host in ("github.com", "gitlab.com") and \
                        path.count("/") < 2:
                    return "project" if project_cue else "other"
                kind: LinkKind = rule.kind  # type: ignore[assignment]
                return kind
    return "project"


_last_spans: tuple[str, list[tuple[int, int, str, bool]]] = ("", [])


def find_url_spans(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, raw, near a project-page cue) for every URL in the text (kept for the
    last text: links and URL blocks of one abstract ask twice)."""
    global _last_spans
    last = _last_spans
    if last[0] is text:
        return list(last[1])
    out = _find_url_spans(text)
    _last_spans = (text, out)
    return list(out)


def _find_url_spans(text: str) -> list[tuple[int, int, str, bool]]:
    out: list[tuple[int, int, str, bool]] = []
    cues: list[int] = []
    taken = -1
    for _pid, label, m in resources.patterns("urls").finditer(text, overlapping=True):
        if label == "URL_PROJECT_CUE":
            cues.append(m.end())
            continue
        if m.start() < taken:
            continue
        taken = m.end()
        cue = any(0 <= m.start() - c <= 30 for c in cues)
        out.append((m.start(), m.end(), m.group(0), cue))
    return out


def is_own_arxiv_link(url: str, arxiv_id: str | None) -> bool:
    """True for an arxiv.org abs/pdf/html link of the paper itself (any version); with no
    known id, any such link given by the source's metadata is taken to be the paper's own."""
    m = _ARXIV_SELF.match(url.strip())
    if m is None:
        return False
    if not arxiv_id:
        return True
    own = regex.sub(r"(?i)v\d+$", "", arxiv_id.strip())
    return m.group(1).lower() == own.lower()


def extract_code_links(paper_id: str, text: str | None, urls: tuple[str, ...],
                       arxiv_id: str | None = None) -> list[CodeLink]:
    """One CodeLink per distinct normalised URL, abstract URLs first, then `Paper.urls`
    (the source's metadata) without the paper's own arXiv abs/pdf links: those identify the
    paper (it has `arxiv_id`), they are not links the paper gives. A link written inside the
    abstract is kept whatever it points to."""
    found: list[tuple[str, bool]] = []
    if text and ("http" in text or "www." in text or ".com/" in text or ".co/" in text
                 or ".org/" in text):
        found.extend((raw, cue) for _s, _e, raw, cue in find_url_spans(text))
    found.extend((u, False) for u in urls if isinstance(u, str) and u.strip()
                 and not is_own_arxiv_link(u, arxiv_id))
    out: list[CodeLink] = []
    seen: set[str] = set()
    for raw, cue in found:
        url = normalise_url(raw)
        if url is None or url in seen:
            continue
        seen.add(url)
        out.append(CodeLink(paper_id, url, classify_url(url, cue), raw.strip()))
    return out
