"""Structure rules of listing pages: what the layout of a page says of its lines, amending
the line model's labels (`listing_text.labelled` applies `RULES` in order to each window).

Each rule takes a window of `(line number, text)` pairs and the labels said so far, and
returns the labels it amends: runs of bare titles, numbered citations, BibTeX blocks, lines
of one shape within a block or across blocks, names under a title, prose under a title,
whole citations, a title above a bare "Abstract" label or above lines of links, and lines
inside an abstract. None of them is one site's wording; each is measured on the annotated
pages (`pipeline/ingest/models/README.md`).
"""

from __future__ import annotations

from collections import Counter

import regex

from pipeline.ingest import listing_fields as fields
from pipeline.ingest import listing_rules as rules


def _filled(window: list[tuple[int, str]]) -> list[int]:
    """The indexes of the window's lines that are not blank."""
    return [i for i, (_, text) in enumerate(window) if text.strip()]


def _blocks(window: list[tuple[int, str]]) -> list[list[int]]:
    """The window's blocks: runs of non-blank lines between blank lines, as line indexes."""
    blocks: list[list[int]] = []
    for i, (_, text) in enumerate(window):
        if not text.strip():
            if blocks and blocks[-1]:
                blocks.append([])
        elif blocks:
            blocks[-1].append(i)
        else:
            blocks.append([i])
    return [b for b in blocks if b]


TITLE_RUN = 4
"""Consecutive title-shaped lines the model left as chrome that make a list of titles."""


def _title_runs(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A run of at least `TITLE_RUN` title-shaped lines, all taken for chrome (blank lines
    between them aside), is a list of bare titles ("Denoising Diffusion Implicit Models
    (Minguk)" line after line): the model has seen few pages without authors. A short line
    repeated between the titles ("[ ]", "PDF" under each) does not break the run."""
    out = list(labels)
    run: list[int] = []
    repeated = Counter(rules.collapse(t) for _, t in window if 0 < len(t.split()) <= 3)
    for i, ((_, text), label) in enumerate([*zip(window, labels, strict=True), ((0, "x"), "")]):
        if not text.strip():
            continue
        if run and label != "title" and repeated[rules.collapse(text)] >= TITLE_RUN:
            continue
        if label == "chrome" and rules.title_shaped(text):
            run.append(i)
            continue
        if len(run) >= TITLE_RUN:
            for j in run:
                out[j] = "title"
        run = []
    return out


_BIBTEX_OPEN = regex.compile(r"^\s*@\w+\s*[{(]")


def _bibtex_blocks(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """The lines of a BibTeX record shown under an entry ("@inproceedings{key," ... "}", or up
    to a blank line) are that entry's reference, not a new title, authors or abstract."""
    out = list(labels)
    depth = 0
    for i, (_, text) in enumerate(window):
        if not text.strip():
            depth = 0  # a record has no blank line: one left open ("year={2023") ends here
            continue
        if depth == 0 and not _BIBTEX_OPEN.match(text):
            continue
        depth += text.count("{") + text.count("(") - text.count("}") - text.count(")")
        out[i] = "venue_links"
        depth = max(depth, 0)
    return out


def _cited_pairs(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A reference written on two lines, its title ("Learning to See by Moving. [pdf]
    [code]") and then its authors and venue ("Agrawal, Pulkit and Malik, Jitendra. ICCV
    2015"), is a title and its authors, whatever the model took them for."""
    out = list(labels)
    filled = _filled(window)
    for i, j in zip(filled, filled[1:], strict=False):
        if out[i] != "title" and rules.cited_title(window[i][1]) and \
                fields.names_then_venue(window[j][1]):
            out[i], out[j] = "title", "authors"
    return out


def _translated_titles(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A bilingual digest gives each title again in its other language ("Title (ZH): ..."):
    that line is a note, and the line before it is the entry's title."""
    out = list(labels)
    filled = _filled(window)
    for i, j in zip(filled, filled[1:], strict=False):
        if fields.translated_title(window[j][1]):
            out[j] = "venue_links"
            if fields.strip_label(window[i][1])[0] is None and \
                    not fields.translated_title(window[i][1]):
                out[i] = "title"
    return out


_KEYED = regex.compile(r"^\s*(\p{L}[\p{L}&/\s]{0,24}?)\s?[:：]\s")


def _keyed_field(text: str) -> bool:
    """A line that opens with a key and a colon ("Summary: ...", "Por qué: ..."), unless the
    key is one word with two capitals or more, a name as titles open with ("CLUTR:
    Curriculum Learning ...", "GFlowNets: ...") and no field label."""
    m = _KEYED.match(text)
    if m is None:
        return False
    key: str = m.group(1).strip()
    if " " in key or fields.inline_label(text) is not None:
        return True
    return not fields.name_key(key)


def _block_key(text: str) -> str:
    """A line's place in a block's shape: its label word ("category"), or "·" if it has none."""
    m = _KEYED.match(text)
    return m.group(1).casefold() if m is not None else "·"


def _repeated_blocks(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """Entries of a page are written alike: blocks of lines (between blank lines) of one
    shape ("Title", "Category: ...", "Contribution: ..."), at least two of which the model
    read with a title, share their labels: a line the model left as chrome takes the label
    most of those blocks give its place, and a keyed line ("Reason for inclusion: ...") takes
    the label most of them give its key when that is more than half of them. A label word
    counts in a shape only when two blocks use it (else "KuaiLive: A Dataset" would be a
    label)."""
    out = list(labels)
    blocks = [b for b in _blocks(window) if len(b) > 1]
    keys = {i: _block_key(window[i][1]) for b in blocks for i in b}
    uses = Counter(k for b in blocks for k in {keys[i] for i in b})
    shapes: dict[tuple[str, ...], list[list[int]]] = {}
    for block in blocks:
        shape = tuple(keys[i] if uses[keys[i]] > 1 else "·" for i in block)
        if "·" in shape and any(k != "·" for k in shape):
            shapes.setdefault(shape, []).append(block)
    for same in shapes.values():
        read = [b for b in same if any(out[i] == "title" for i in b)]
        if len(read) < 2:
            continue
        for pos in range(len(same[0])):
            votes = Counter(out[b[pos]] for b in read if out[b[pos]] != "chrome")
            if not votes:
                continue
            label, count = votes.most_common(1)[0]
            keyed = keys[same[0][pos]] != "·"
            for block in same:
                i = block[pos]
                if out[i] == "chrome" and not (label == "title" and
                                               len(window[i][1].split()) < 2):
                    out[i] = label  # (a lone word, "Title", is a template's placeholder)
                elif keyed and out[i] != label and count * 2 > len(read):
                    out[i] = label
    return out


def _names_under_title(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A line of names (with their affiliations or not) right under a title is that entry's
    authors, even when the model took it for a second title; so is a line of names and then a
    venue ("Noroozi, Mehdi and Favaro, Paolo. ECCV 2016") that it took for a venue line."""
    out = list(labels)
    filled = _filled(window)
    for i, j in zip(filled, filled[1:], strict=False):
        if out[i] != "title":
            continue
        text = window[j][1]
        if out[j] == "title" and fields.is_author_line(text) or \
                out[j] == "venue_links" and fields.names_then_venue(text):
            out[j] = "authors"
    return out


def _reference_lines(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A reference written one field a line, each ending in a comma: its authors ("Liu,
    S.-C. and Delbruck, T.,"), its title ("Neuromorphic sensory systems,") and its venue
    with a year ("Current Opinion in Neurobiology, 20:3(288-295), 2010.")."""
    out = list(labels)
    filled = _filled(window)
    for i, j, k in zip(filled, filled[1:], filled[2:], strict=False):
        names, title, venue = (window[x][1].strip() for x in (i, j, k))
        if names.endswith(",") and title.endswith(",") and fields.YEAR_WORD.search(venue) and \
                len(title.split()) >= 2 and fields.is_name_list(names) and \
                not fields.is_name_list(title) and not fields.YEAR_WORD.search(title):
            out[i], out[j], out[k] = "authors", "title", "venue_links"
    return out


def _citation_lines(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A line that reads as a whole citation, its authors and then its title in quotes or
    after an APA year ("Graves, A. (2013). Generating sequences with recurrent neural
    networks. ArXiv ...", 'Hsu, Ann, Bo Chen. "Title." Venue'), is a title line whatever
    the line model said: the title and its authors are found in it (`_add_title_line`)."""
    out = list(labels)
    for i, (_, text) in enumerate(window):
        if out[i] != "title" and text.strip():
            cited = fields.citation(text)
            if cited is not None and cited[0]:
                out[i] = "title"
    return out


PROSE_CHARS = 100
"""A line at least this long, right under an entry's authors, is prose, not page chrome."""


def _title_prose_pairs(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A page of entries written as a title line and an abstract line, read so at least
    twice: a title-shaped line followed by a long line of prose, both taken for chrome or a
    heading where the model lost the rhythm, is such an entry too; and a long line of prose
    under a title is its abstract even when a link in it made the model read it as a link
    row ("... Code is available at https://github.com/...") or a second title."""
    out = list(labels)
    filled = _filled(window)
    pairs = list(zip(filled, filled[1:], strict=False))

    def prose(j: int) -> bool:
        text = window[j][1].strip()
        return len(text) >= PROSE_CHARS and _KEYED.match(text) is None

    if sum(1 for i, j in pairs if out[i] == "title" and out[j] == "abstract" and prose(j)) < 2:
        return out
    for i, j in pairs:
        # (a numbered line over a paragraph is as often a digest's own point: "2. VLMs ...")
        if out[i] in ("chrome", "heading") and out[j] in ("chrome", "heading") and \
                rules.title_shaped(window[i][1]) and not _keyed_field(window[i][1]) and \
                not fields.list_numbered(window[i][1]) and prose(j):
            out[i], out[j] = "title", "abstract"
        elif out[i] == "title" and prose(j) and (out[j] == "venue_links" or (
                out[j] == "title" and not rules.title_shaped(window[j][1]))):
            out[j] = "abstract"
    return out


def _prose_after_authors(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A long line of prose right under an entry's title and authors that the model took for
    chrome (a digest's summary in a language it has seen little of) is the entry's abstract."""
    out = list(labels)
    filled = _filled(window)
    said = {i: fields.inline_label(window[i][1]) or out[i] for i in filled}  # "👥 A, B"
    for h, i, j in zip(filled, filled[1:], filled[2:], strict=False):
        text = window[j][1].strip()
        if said[h] == "title" and said[i] == "authors" and out[j] == "chrome" and \
                len(text) >= PROSE_CHARS and fields.strip_label(text)[0] is None and \
                not fields.urls(text):
            out[j] = "abstract"
    return out


CITED_ITEM = regex.compile(
    fields.LIST_NUMBER
    + r"(?P<title>[^()]{8,200}?)\s?\((?P<names>[^()]{2,200})\)[.:,]?(?:\s|$)")
CITED_ITEMS = 3
"""Numbered items written "N. Title (Names). Comment" that make a list of papers."""
_SURNAME = regex.compile(r"\p{Lu}\p{Ll}+")


def cited_names(m: regex.Match[str] | None) -> str | None:
    """The names in brackets of a "N. Title (Names). ..." item: surnames, not "(N.D.)"."""
    if m is None:
        return None
    names = m.group("names")
    return names if _SURNAME.search(names) and fields.is_name_list(names) else None


def _cited_items(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A list of at least `CITED_ITEMS` numbered items each written "N. Title (Names). ..."
    ("1. Multi-View Clustering via CCA (Chaudhuri, Kakade, Livescu). This paper ...") is a
    list of papers, whatever the model took those lines for."""
    out = list(labels)
    items = [i for i, (_, text) in enumerate(window)
             if cited_names(m := CITED_ITEM.match(text)) is not None
             and m is not None and rules.title_shaped(m.group("title"))]
    if len(items) >= CITED_ITEMS:
        for i in items:
            if out[i] in ("chrome", "heading", "abstract", "venue_links"):
                out[i] = "title"
    return out


def _inside_abstracts(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A line between two abstract lines, with no blank line on either side, is more of the
    abstract ("... through: Autonomous exploration and Human demonstrations." / "Includes:
    Exploration phase and Deployment phase." / "Exploration phase learns ..."), whatever
    the model took it for, unless it is a title or authors."""
    out = list(labels)
    for i in range(1, len(window) - 1):
        if labels[i - 1] == "abstract" and labels[i + 1] == "abstract" and \
                labels[i] in ("chrome", "venue_links", "heading", "date_presenter") and \
                window[i][1].strip() and window[i - 1][1].strip() and window[i + 1][1].strip():
            out[i] = "abstract"
    return out


def _title_over_abstract(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A title-shaped line the model took for chrome, right above a bare "Abstract" label
    (blank lines aside) under which an abstract follows, is that abstract's title (a
    seminar's talk: date, speaker, title, "Abstract", text)."""
    out = list(labels)
    filled = _filled(window)
    for k in range(1, len(filled) - 1):
        i, before, after = filled[k], filled[k - 1], filled[k + 1]
        if fields.is_abstract_label(window[i][1]) and out[before] == "chrome" and \
                labels[after] == "abstract" and len(window[after][1].split()) >= 8 and \
                rules.title_shaped(window[before][1]):
            out[before] = "title"
    return out


_LINK_LINE = regex.compile(r"^\s*(?:[\p{L}\p{M}][\p{L}\p{M}()（） ]{0,20}\s?[:：]\s*)?https?://\S+\s*$")
"""A line that is a link and at most its label ("论文：https://...", "Code: https://...")."""


def _title_over_links(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A title-shaped line the model took for chrome, right above a line that is only a
    link (blank lines aside: "Exploring Self-attention for Image Recognition", then
    "论文：https://...", "代码：https://..."), is a title, and the link lines under it are its
    links, unless the line above it is a title already (a title over two lines)."""
    out = list(labels)
    filled = _filled(window)
    for k in range(len(filled) - 1):
        i, after = filled[k], filled[k + 1]
        if out[i] != "chrome" or _LINK_LINE.match(window[after][1]) is None or \
                _LINK_LINE.match(window[i][1]) is not None or \
                not rules.title_shaped(window[i][1]) or \
                (k > 0 and out[filled[k - 1]] == "title"):
            continue
        out[i] = "title"
        for j in filled[k + 1:]:
            if _LINK_LINE.match(window[j][1]) is None:
                break
            if out[j] in ("chrome", "heading"):
                out[j] = "venue_links"
    return out


ALIKE_LINES = 3
"""Title lines of one shape in a block that make the block a list of one-line entries."""


def _first_mark(text: str) -> str | None:
    """The mark after a line's first segment ("Title - A. Lee et al, ICCV2017." -> "-") when
    it has more than one and the first opens with a capital and has three words or more."""
    segs = fields.segments(text)
    if len(segs) < 2 or len(segs[0].text.split()) < 3 or not segs[0].text[:1].isupper():
        return None
    return segs[0].after if segs[0].after.strip() else None


def _alike_lines(window: list[tuple[int, str]], labels: list[str]) -> list[str]:
    """A block of one-line entries (lines between blank lines) is written alike: when at
    least `ALIKE_LINES` of its lines are titles whose first segment ends with the same mark
    ("Title - G. Singh et al, ICCV2017."), and they are most of the block's lines with that
    mark, a line of the same shape the model took for chrome or links is a title too."""
    out = list(labels)
    for block in _blocks(window):
        # (segments are cut only for a block with enough titles to have a habit)
        if len(block) <= ALIKE_LINES or sum(out[k] == "title" for k in block) < ALIKE_LINES:
            continue
        marks = {k: _first_mark(window[k][1]) for k in block}
        titled = Counter(marks[k] for k in block if out[k] == "title" and marks[k])
        if not titled:
            continue
        mark, count = titled.most_common(1)[0]
        same = [k for k in block if marks[k] == mark]
        if count >= ALIKE_LINES and count * 2 > len(same):
            for k in same:
                if out[k] in ("chrome", "venue_links") and \
                        not window[k][1].rstrip().endswith(":"):
                    out[k] = "title"
    return out


RULES = (_title_runs, _cited_items, _cited_pairs, _bibtex_blocks, _translated_titles,
          _repeated_blocks, _names_under_title, _reference_lines, _title_prose_pairs,
          _prose_after_authors, _citation_lines, _alike_lines, _inside_abstracts,
          _title_over_abstract, _title_over_links)
"""The structure rules, in the order they amend the line model's labels."""
