"""Reader for scraped paper-listing pages saved as plain text (`listing_text`).

Entries are found by learned models, not by one site's wording (`listing_model`): a CRF
labels every line (title, authors, abstract, venue/links, date/presenter; chrome, heading,
blank) from the shape of the line
and its neighbours (`listing_features`), and a second CRF labels the segments of a title line
as title, authors or other ("Title (Chaudhuri, Kakade). Summary", "Mroueh, Y. Title"). Author
lines are parsed by structure (`listing_fields.parse_authors`).

A field label on a line of its own ("Abstract", "Authors:") and the next non-blank line are
that field of the open entry, whatever the model said of them (unless it took the next line
for a title); a line that starts with a field label and goes on ("Summary: Introduced X",
"Authors: A, B", "Title: X") is that field (`listing_fields.inline_label`), and after an
"Abstract: ..." line a line with another label ("Why it matters: ...") is a note, not more of
the abstract (a structured abstract's "Results:" stays in it). The structure rules of
`listing_layout` then amend the labels: a run of at least `TITLE_RUN` title-shaped lines the
model took for chrome is a list of bare titles. In a title line that cites a paper with its
title in quotes ('A. Lee, B. Chen, "Title," CVPR 2026'), the quotes mark the title and the
names before them its authors (`listing_fields.quoted_title`), and so does an APA year
("Graves, A. (2013). Title. Venue"); such a whole citation is a title line whatever the model
said of it. Names run straight into a title with no mark between ("E. Ekblom, O. Mogren
EFFGAN: ...") are its authors (`listing_names.names_before_title`). A reference on two lines,
"Title. [pdf] [code]" and then "Authors. VENUE 2015", is a title and its authors; an authors
line loses the venue and year after the names. A BibTeX record shown under an entry
("@inproceedings{key, title={...}, ...}") is that entry's reference. Lines of one block
written alike ("Title - A. Lee et al, ICCV2017.") share the title label most of them got; a
title-shaped line the model left as chrome is a title right above a bare "Abstract" label with
text under it or above lines that are only links ("论文：https://..."); a line between two
abstract lines is more of the abstract. A phrase that opens at least three of a page's
abstracts word for word ("Why we're reading it.") is a label and is cut from them.

Grouping: a title line starts an entry; authors, abstract, venue/links and date lines join
the open one (or start one without a title when none is open); chrome and blank lines are
skipped; a heading closes the open entry. The page
is labelled in windows of at most `WINDOW_LINES` lines cut at blank lines, so a page of any
size streams. An entry without a title line yields `Rejected` PC105. The titled entries of a
page (`listing_entries.BATCH` at a time) then go to the entry model (`listing_entries`), which
reads the page's entries as one sequence: an entry it takes for a heading, a bio, an
affiliation or other page text is `Rejected` PC112 with its lines, not published.

`Record.line` is the title's line; `raw` is `{"lines": [[line number, text], ...]}` with the
entry's non-blank lines as read. Titles and names are whitespace-collapsed; the abstract is
kept as read (trimmed, without an "Abstract:" label). Decoding follows `common`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import regex

from pipeline.errors import Reason
from pipeline.ingest import listing_entries as entries_model
from pipeline.ingest import listing_features, listing_names, table
from pipeline.ingest import listing_fields as fields
from pipeline.ingest import listing_layout as layout
from pipeline.ingest import listing_model as model
from pipeline.ingest import listing_rules as rules
from pipeline.ingest.common import (
    Source,
    head_text,
    iter_lines,
    json_text,
    looks_like_json,
    reject,
)
from pipeline.ingest.listing_rules import classify_line
from pipeline.records import Record, Rejected

log = logging.getLogger(__name__)

FORMAT = "listing_text"
WINDOW_LINES = 2000
_MARKDOWN = regex.compile(r"^(?:#{1,6}\s|\|.*\||```)", regex.MULTILINE)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")


@dataclass(slots=True)
class Entry:
    """One paper entry being assembled from labelled lines."""

    title: tuple[int, str] | None = None
    authors: list[str] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)
    stated_abstract: bool = False
    """The abstract comes from a line labelled "Abstract:" (or "Summary:", "摘要：")."""


@dataclass(frozen=True, slots=True)
class Taggers:
    """The line, segment and entry models a reader uses (the shipped ones unless given);
    `judge_entries` False publishes every titled entry, as the entry model's training data
    is made."""

    lines: model.SequenceTagger | None = None
    segments: model.SequenceTagger | None = None
    entries: entries_model.MarginalTagger | None = None
    judge_entries: bool = True


SHIPPED = Taggers()


def windows(lines: Iterable[tuple[int, str]], size: int = WINDOW_LINES
            ) -> Iterator[list[tuple[int, str]]]:
    """Runs of at most about `size` lines, cut after a blank line where there is one."""
    buf: list[tuple[int, str]] = []
    for item in lines:
        buf.append(item)
        if len(buf) >= size:
            cut = next((i for i in range(len(buf) - 1, 0, -1) if not buf[i][1].strip()),
                       len(buf) - 1)
            yield buf[:cut + 1]
            buf = buf[cut + 1:]
    if buf:
        yield buf




# a reading group's schedule names it "Topic", "What" or "Readings"; Chinese digest tables
# 题目 / 标题 (title), 论文 (paper), Japanese ones 論文
_PAPER_COLUMN = frozenset({"paper", "papers", "title", "paper title", "paper name", "titles",
                           "topic", "what", "reading", "readings", "题目", "标题", "论文",
                           "論文", "论文标题"})
_VAGUE_PAPER_COLUMN = frozenset({"topic", "what"})
_AUTHORS_COLUMN = frozenset({"authors", "author", "author(s)"})


_QUALIFIER = regex.compile(r"\s*\([^()]*\)$")


def _paper_head(head: str) -> bool:
    """A table header cell that names the paper column ("Title", "题目"), also with a
    qualifier in parentheses ("Paper Title (Conf/Year of Paper)")."""
    return _QUALIFIER.sub("", head) in _PAPER_COLUMN


CELL_TITLE = "title_cell"
"""The label `labelled` gives a table row's paper cell: a title line whose dashes cut no
authors off (`listing_fields.dashed_subtitle`: "Rigging the Lottery - Making All Tickets
Winners (Oral)")."""


TableRow = tuple[str, str | None, str | None, str]
"""A table row's paper cell, its authors cell (or None), its abstract or summary cell (or
None) and its other cells."""


_HEADER_WORDS = 4
_LINK_FILLERS = frozenset({"to", "the", "of", "on", "at", "and", "|", "·", "/"})


def _link_row(text: str) -> bool:
    """A short line of link words ("Link to Paper", "PDF | Code"), which a table may have
    under each row."""
    words = text.casefold().split()
    links = listing_features.link_words()
    return 0 < len(words) <= 5 and any(w in links for w in words) and all(
        w in links or w in _LINK_FILLERS for w in words)


def _table_rows(window: list[tuple[int, str]]) -> dict[int, TableRow]:
    """The rows of a tab-separated table whose header names a paper (or title) column: each
    row's paper cell, its authors cell when the header has one (a "Presenter" is no
    author), its abstract cell when the header has an abstract or summary column ("摘要",
    "TL;DR", "一言"), and its other cells (a "Link to code" cell's URL is the paper's); a
    presenter opening the paper cell ("Rui Mao : Title") is cut off. A paper cell of one
    word is a paper's short name only beside a summary ("IAT" | "..."). The table ends at
    the first line with no tab or too few cells, but for a short line of link words under a
    row ("Link to Paper")."""
    out: dict[int, TableRow] = {}
    table: dict[int, TableRow] = {}
    paper: int | None = None
    authors: int | None = None
    summary: int | None = None
    for i, (_, text) in enumerate([*window, (0, "")]):
        if paper is not None and "\t" not in text and _link_row(text):
            continue  # "Link to Paper" under each row
        cells = [c.strip() for c in text.rstrip("\n").split("\t")]
        heads = [c.casefold() for c in cells]
        # a header's cells are short: a row with a "Paper" link cell is no header
        header = len(cells) > 1 and any(_paper_head(h) for h in heads) and all(
            len(_QUALIFIER.sub("", c).split()) <= _HEADER_WORDS for c in cells)
        if paper is not None and (header or len(cells) < 2 or len(cells) <= paper):
            if len(table) > 1:  # (one row under a header is a page's own front matter)
                out.update(table)
            table, paper, authors, summary = {}, None, None, None
        if header:
            # "Topic" and "What" name the paper column only where no other header does
            paper = min((k for k, h in enumerate(heads) if _paper_head(h)),
                        key=lambda k: (heads[k] in _VAGUE_PAPER_COLUMN, k))
            authors = next((k for k, h in enumerate(heads) if h in _AUTHORS_COLUMN), None)
            summary = next((k for k, h in enumerate(heads)
                            if k != paper and fields.summary_head(h)), None)
        elif paper is not None and cells[paper]:
            names = cells[authors] if authors is not None and authors < len(cells) else None
            about = cells[summary] if summary is not None and summary < len(cells) else None
            if len(cells[paper].split()) > 1 or about:
                rest = "\t".join(c for k, c in enumerate(cells)
                                 if k not in (paper, authors, summary))
                table[i] = (fields.without_presenter(cells[paper]), names or None,
                            about or None, rest)
    return out


def labelled(lines: Iterable[tuple[int, str]], taggers: Taggers | None = None
             ) -> Iterator[tuple[int, str, str]]:
    """`(line number, text, label)` for every line; a row of a table with a paper column
    gives its paper cell as a title (`CELL_TITLE`) and its authors cell as authors
    instead."""
    taggers = taggers or SHIPPED
    for window in windows(lines):
        labels = model.tag_lines([t for _, t in window], taggers.lines)
        for rule in layout.RULES:
            labels = rule(window, labels)
        rows = _table_rows(window) if any("\t" in t for _, t in window) else {}
        introduced: str | None = None
        in_stated_abstract = False
        for i, ((n, text), label) in enumerate(zip(window, labels, strict=True)):
            if i in rows:
                cell, names, about, rest = rows[i]
                yield n, cell, CELL_TITLE
                if names is not None:
                    yield n, names, "authors"
                if about is not None:
                    yield n, about, "abstract"
                if fields.urls(rest):
                    yield n, rest, "venue_links"
                introduced, in_stated_abstract = None, False
                continue
            field = fields.bare_label(text)
            stated = fields.inline_label(text)
            if field is not None:
                label = introduced = field
            elif stated is not None:
                label, introduced = stated, None
            elif introduced is not None and text.strip():
                if label != "title":
                    label = introduced
                introduced = None
            elif in_stated_abstract and label == "abstract" and fields.other_label(text):
                label = "venue_links"  # "Abstract: ..." then "Why it matters: ...": a note
            elif label == "title" and fields.metadata_line(text):
                label = "venue_links"  # "Keywords: ...", "Contact: ..."
            if text.strip():
                in_stated_abstract = stated == "abstract" or (
                    in_stated_abstract and label == "abstract")
            yield n, text, label


def _add_title_line(entry: Entry, lineno: int, text: str, taggers: Taggers,
                    cell: bool = False) -> None:
    # A citation with its title in quotes: the quotes say where the title is, and the names
    # before them who wrote it; the segment model is asked only for what they leave open.
    quoted = fields.citation(text)
    # Names run straight into the title ("E. Ekblom, O. Mogren EFFGAN: ..."): they are the
    # authors, and the segment model reads only what follows them.
    lead = None if quoted is not None else listing_names.names_before_title(text)
    body = text if lead is None else lead[1]
    if quoted is not None and quoted[0]:
        titles, names = [quoted[1]], list(quoted[0])
    else:
        segs, tags = model.tag_segments(body, taggers.segments)
        tags = fields.title_brackets(segs, tags)
        if cell:  # a table's paper cell: a dash in it cuts no authors off
            tags = fields.dashed_subtitle(segs, tags)
        titles = [quoted[1]] if quoted is not None else fields.span_text(body, segs, tags, "T")
        if not titles:
            titles = [t for t in (fields.untagged_title(body, segs),) if t is not None]
        names = [*(fields.parse_authors(lead[0]) if lead is not None else ()),
                 *(a for span in fields.span_text(body, segs, tags, "A")
                   for a in fields.parse_authors(span))]
        cited = layout.cited_names(layout.CITED_ITEM.match(text))
        if not names and cited is not None:
            names = list(fields.parse_authors(cited))  # "N. Title (A, B). ..."
    title = fields.clean_title(titles[0] if titles else body)
    if not title:
        title = fields.clean_title(body)
    title, summary = fields.title_and_summary(title)
    if summary is not None and not entry.abstract:
        entry.abstract.append(summary)  # "Title: a one-line summary" (digests, reading lists)
    _set_title(entry, lineno, title, names)


def _set_title(entry: Entry, lineno: int, title: str, names: list[str]) -> None:
    if entry.title is None:
        entry.title = (lineno, title)
    elif not entry.authors and not entry.abstract:
        entry.title = (entry.title[0], f"{entry.title[1]} {title}")  # a title wrapped
    entry.authors.extend(a for a in dict.fromkeys(names) if a not in entry.authors)


def add_line(entry: Entry, lineno: int, text: str, kind: str, taggers: Taggers) -> None:
    entry.lines.append((lineno, text))
    if kind != "abstract":  # an abstract's links are the extract stage's to find
        entry.urls.extend(fields.urls(text))
    if kind in ("title", CELL_TITLE):
        _add_title_line(entry, lineno, text, taggers, cell=kind == CELL_TITLE)
    elif kind == "authors":
        names = fields.parse_authors(rules.without_venue(text))
        entry.authors.extend(a for a in names if a not in entry.authors)
    elif kind == "abstract" and not fields.is_abstract_label(text):  # not a bare "Abstract:"
        if fields.inline_label(text) == "abstract" and not entry.stated_abstract:
            # "Contribution: ..." then "Abstract: ...": the labelled abstract is the abstract
            entry.abstract.clear()
            entry.stated_abstract = True
        body = fields.strip_label(text)[1]
        # a note's label opens the abstract ("Key idea: ..."); further in, a colon is the text's
        entry.abstract.append(body if entry.abstract else fields.without_note_label(body))


def segment_entries(lines: Iterable[tuple[int, str]], taggers: Taggers | None = None
                    ) -> Iterator[Entry]:
    """Group `(line number, text)` pairs into entries (see the module docstring)."""
    taggers = taggers or SHIPPED
    current: Entry | None = None
    previous: str | None = None  # the label of the entry line before
    for (lineno, text, kind), following in _with_next_field(labelled(lines, taggers)):
        label = "title" if kind == CELL_TITLE else kind
        following = "title" if following == CELL_TITLE else following
        if label in model.OUTSIDE:
            if label == "heading" and current is not None:
                yield current
                current = None
            elif label == "chrome":
                log.debug("line %d: chrome %r", lineno, text[:80])
            continue
        # Authors written before their title ("Liu, S.-C. and Delbruck, T.," then the
        # title): names right before a title open the next entry once the current one has
        # authors or an abstract of its own (a seminar page's speaker line after the last
        # talk's abstract), and a title joins an entry that so far has only its authors.
        authors_first = label == "authors" and following == "title" and previous not in (
            "authors", "title") and current is not None and current.title is not None \
            and (bool(current.authors) or bool(current.abstract))
        joins = label == "title" and previous == "authors" and current is not None and \
            current.title is None and bool(current.authors) and not current.abstract
        if current is None or authors_first or (label == "title" and not joins):
            if current is not None:
                yield current
            current = Entry()
        add_line(current, lineno, text, kind, taggers)
        previous = label
    if current is not None:
        yield current


def _with_next_field(items: Iterable[tuple[int, str, str]]
                     ) -> Iterator[tuple[tuple[int, str, str], str | None]]:
    """Each labelled line with the label of the next line that is not blank, chrome or a
    heading (None at the end)."""
    pending: list[tuple[int, str, str]] = []
    for item in items:
        if item[2] in model.OUTSIDE or not item[1].strip():
            pending.append(item)
            continue
        for held in pending:
            yield held, item[2]
        pending = [item]
    for held in pending:
        yield held, None


def _raw(entry: Entry) -> dict[str, list[list[int | str]]]:
    """The entry's non-blank lines as read: a record's `raw`, a quarantined entry's record."""
    return {"lines": [[n, t] for n, t in entry.lines]}


def entry_to_item(entry: Entry, name: str) -> Record | Rejected:
    """A `Record` for an entry with a title, else `Rejected` PC105."""
    raw = _raw(entry)
    if entry.title is None:
        line = entry.lines[0][0]
        return reject(name, line, Reason.NO_TITLE,
                      "text without a title line before it; check the page layout", raw)
    return Record(
        source_file=name,
        line=entry.title[0],
        source_format=FORMAT,
        title=entry.title[1],
        authors=tuple(entry.authors),
        abstract="\n\n".join(entry.abstract) if entry.abstract else None,
        urls=tuple(dict.fromkeys(entry.urls)),
        raw=json_text(raw),
    )


def shape(entry: Entry) -> entries_model.EntryShape:
    """What the entry model sees of a titled entry."""
    assert entry.title is not None
    return entries_model.EntryShape(
        title=entry.title[1], line=entry.title[0], lines=len(entry.lines),
        authors=bool(entry.authors), abstract=bool(entry.abstract), urls=bool(entry.urls))


def _judged(batch: list[Entry], name: str, taggers: Taggers) -> Iterator[Record | Rejected]:
    """The items of a run of entries: a titled entry the entry model reads as no paper is
    quarantined (PC112) with its lines. A label that opens several of the run's abstracts
    word for word ("Why we're reading it.") is cut from them (`fields.repeated_leads`)."""
    leads = fields.repeated_leads(e.abstract[0] for e in batch if e.abstract)
    for e in batch:
        if e.abstract and leads:
            e.abstract[0] = fields.without_lead(e.abstract[0], leads)
    titled = [shape(e) for e in batch if e.title is not None]
    verdicts = iter(entries_model.not_papers(titled, taggers.entries) if taggers.judge_entries
                    else [None] * len(titled))
    for entry in batch:
        p = next(verdicts) if entry.title is not None else None
        if entry.title is None or p is None:
            yield entry_to_item(entry, name)
            continue
        yield reject(name, entry.title[0], Reason.NOT_A_PAPER,
                     f"the entry model reads {entry.title[1][:60]!r} as a heading or page text, "
                     f"not a paper (probability {p:.2f})", _raw(entry))


def read(fh: Source, name: str, taggers: Taggers | None = None) -> Iterator[Record | Rejected]:
    """Stream the entries of a listing page, judged `entries_model.BATCH` at a time."""
    taggers = taggers or SHIPPED
    batch: list[Entry] = []
    for entry in segment_entries(iter_lines(fh), taggers):
        batch.append(entry)
        if len(batch) >= entries_model.BATCH:
            yield from _judged(batch, name, taggers)
            batch = []
    yield from _judged(batch, name, taggers)


def is_markdown(text: str) -> bool:
    """Markdown headings, `|` tables or code fences."""
    return _MARKDOWN.search(text) is not None


def looks_binary(text: str) -> bool:
    """Too many replacement characters or control characters for a text page."""
    if "\x00" in text:
        return True
    bad = sum(1 for c in text if c == "\ufffd" or (ord(c) < 32 and c not in _TEXT_CONTROLS))
    return bad > max(2, len(text) // 100)


SNIFF_LINES = 400
SNIFF_TITLES = 8
SNIFF_SHARE = 0.15
SNIFF_MARKDOWN_SHARE = 0.2
SNIFF_PAIRS = 3
SNIFF_PAIRS_SHARE = 0.5
"""A page the shape rules do not recognise is a listing when the line model labels at least
`SNIFF_TITLES` of its first `SNIFF_LINES` lines as titles, and at least this share of its
non-blank lines other than venue and link lines (since stop 51: a digest with four link
lines under each title, p30b, read 0.11 of all its lines; a higher share for markdown: a
README or a spec has headings the model may take for titles; this repository's READMEs
reached 0.51 with the 80-page model, hence 0.6 until stop 52; with the 241-page model the
highest share among this repository's markdown files is 0.133 (the annotators' notes), and
0.2 reads a Hugging Face digest with a code snippet's "# comment" lines, 0.258, and a
homepage whose link rows look like a table, "| Bibtex | Abstract | PDF |", 0.231), or
when at least `SNIFF_PAIRS` titles, and `SNIFF_PAIRS_SHARE` of them, are each followed by an
authors line (a homepage of five papers). Measured on the 106 annotated pages (104 read; a
markdown README of 14 papers among its prose, and a page whose tab-separated header makes it
a table) and on this repository's own README, Makefile, docs and sources (none read):
`tests/test_ingest_listing.py`. With the 127-page model trained at c1 2.0, the highest share
among this repository's plain-text files is 0.096 (5 titles), and a Chinese digest page that
the shape rules miss has 0.195: hence 0.15."""


def sniff(head: bytes) -> bool:
    """Plain UTF-8 text, not JSON or CSV: a page with a prose paragraph or a title+author pair
    (the shape rules, on text that is not markdown), or where the line model finds enough
    titles (`SNIFF_TITLES`, `SNIFF_SHARE`), or a tab-separated table with a paper column and
    at least `SNIFF_TITLES` rows."""
    if b"\x00" in head:
        return False
    text = head_text(head)
    if not text.strip() or looks_binary(text) or looks_like_json(text):
        return False
    if table.sniff_csv_text(text):
        return False
    lines = text.splitlines()
    if len(head) >= 1024 and len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line may be cut by the head limit
    if not is_markdown(text):
        kinds = [classify_line(line) for line in lines]
        content = [k for k in kinds if k not in ("blank", "chrome")]
        if "abstract" in content or any(
                a == "title" and b == "names" for a, b in zip(content, content[1:], strict=False)):
            return True
    # Layouts the shape rules do not know (a README of "[Title](link), Name et al." lines, a
    # schedule, a numbered list): a listing when the learned line model finds titles in it.
    head_lines = lines[:SNIFF_LINES]
    labels = [x for x in model.tag_lines(head_lines) if x != "blank"]
    titles = labels.count("title")
    share = SNIFF_MARKDOWN_SHARE if is_markdown(text) else SNIFF_SHARE
    # (a digest's rows of links under each title are no text that could be anything else)
    if titles >= SNIFF_TITLES and titles >= share * (len(labels) - labels.count("venue_links")):
        return True
    # A tab-separated schedule whose header names a paper column ("Date / Presenter / Paper"):
    # its rows are the papers, whatever the line model makes of them.
    if any("\t" in line for line in head_lines) and \
            len(_table_rows(list(enumerate(head_lines, 1)))) >= SNIFF_TITLES:
        return True
    # A short page (a homepage's five papers): titles the model sees each followed by an
    # authors line, for most of its titles.
    pairs = sum(a == "title" and b == "authors" for a, b in zip(labels, labels[1:], strict=False))
    return pairs >= SNIFF_PAIRS and pairs >= SNIFF_PAIRS_SHARE * titles
