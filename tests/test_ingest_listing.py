"""The listing-page reader segments entries by the shape of lines, not by one site's strings.

Both seed pages must give exactly the gold titles, author lists and abstract presence; a page
in another site's style (made up here) must segment the same way.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pipeline.errors import Reason
from pipeline.ingest import listing_text
from pipeline.records import Record, Rejected

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
GOLD = [json.loads(line)
        for line in (FIXTURES / "gold" / "seeds.jsonl").read_text("utf-8").splitlines()]


def read_text(text: str | bytes, name: str = "page.txt") -> list[Record | Rejected]:
    data = text.encode() if isinstance(text, str) else text
    return list(listing_text.read(io.BytesIO(data), name))


@pytest.mark.parametrize(("name", "count"), [
    ("000_2a00aa8dfd2c52e5.txt", 12),
    ("004_2a3305efe35c12b7.txt", 51),
])
def test_seed_pages_match_gold(name: str, count: int) -> None:
    items = read_text((SEEDS / name).read_bytes(), name)
    assert all(isinstance(i, Record) for i in items)
    got = [(r.title, list(r.authors), r.abstract is not None) for r in items]
    want = [(g["title"], g["authors"], g["has_abstract"]) for g in GOLD if g["source_file"] == name]
    assert len(got) == count
    assert got == want


def test_seed_lines_and_raw() -> None:
    items = read_text((SEEDS / "000_2a00aa8dfd2c52e5.txt").read_bytes(), "000.txt")
    first = items[0]
    assert isinstance(first, Record)
    assert (first.line, first.source_file, first.source_format) == (3, "000.txt", "listing_text")
    raw = json.loads(first.raw)
    assert [n for n, _ in raw["lines"]] == list(range(3, 15))
    assert raw["lines"][1] == [4, "Tariq Berrada"]
    last = items[-1]
    assert isinstance(last, Record) and last.line == 71 and last.authors == ("Matthieu Geist",)
    daily = read_text((SEEDS / "004_2a3305efe35c12b7.txt").read_bytes())
    assert [r.line for r in daily[:3]] == [11, 15, 19]


def test_crlf_bom_and_invalid_utf8_same_segmentation() -> None:
    data = (SEEDS / "000_2a00aa8dfd2c52e5.txt").read_bytes()
    plain = read_text(data)
    crlf = read_text(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    assert [(r.title, r.authors, r.abstract, r.line) for r in plain] == [
        (r.title, r.authors, r.abstract, r.line) for r in crlf]
    broken = read_text(data.replace(b"Tariq Berrada", b"Tariq Berr\xe9da"))
    assert isinstance(broken[0], Record) and broken[0].authors[0] == "Tariq Berr\ufffdda"
    assert len(broken) == 12
    assert listing_text.sniff(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))


OTHER_SITE = """\
Recent Preprints
Sort by date

Wobbly Lattices: Sparse Priors for Texture Synthesis at Scale
Mirela Oyelaran-Voss, Tomás de la Vega and Anke van der Berg
Code: https://example.org/wobbly-lattices
We introduce wobbly lattices, a family of sparse priors for texture synthesis that bend \
under pressure from the data. Unlike rigid grids, a wobbly lattice lets each node drift \
towards the strongest local gradient, which keeps repeated motifs aligned. On our own \
collection of fabric scans it halves the visible seams compared with the plain grid prior.

Velvet Thunder Meadows
Velvet thunder meadows are a toy environment in which an agent herds sound waves across a \
field of grass. We describe the rules, release a simulator, and show that a simple \
curiosity bonus is enough to solve the first ten levels, while the last two remain open.

2024

Counting Pebbles with Language Models
Henrike Q. Saltonstall
Dmitri O'Faolain

Quiet Gradients for Tiny Robots
Folding Origami with Diffusion?
Ngozi Adeyemi-Laurent
Origami folding is posed as sequential denoising of crease patterns. Each step proposes a \
new crease and a learned critic rejects folds that would tear the paper in simulation.
A second paragraph continues the abstract: we fold three hundred shapes, of which two \
hundred and twelve are judged correct by a panel of paper artists, and we release all data.

Load more
"""


def test_other_site_segmented_by_shape() -> None:
    items = read_text(OTHER_SITE, "lab.txt")
    assert all(isinstance(i, Record) for i in items)
    got = [(r.title, r.authors, r.abstract is not None) for r in items]
    assert got == [
        ("Wobbly Lattices: Sparse Priors for Texture Synthesis at Scale",
         ("Mirela Oyelaran-Voss", "Tomás de la Vega", "Anke van der Berg"), True),
        ("Velvet Thunder Meadows", (), True),
        ("Counting Pebbles with Language Models", ("Henrike Q. Saltonstall", "Dmitri O'Faolain"),
         False),
        ("Quiet Gradients for Tiny Robots", (), False),
        ("Folding Origami with Diffusion?", ("Ngozi Adeyemi-Laurent",), True),
    ]
    assert items[0].urls == ("https://example.org/wobbly-lattices",)
    assert [r.line for r in items] == [4, 9, 14, 18, 19]
    last = items[-1]
    assert isinstance(last, Record) and last.abstract is not None
    assert last.abstract.count("\n\n") == 1 and last.abstract.startswith("Origami folding")
    assert listing_text.sniff(OTHER_SITE.encode())


def test_top_header_dropped_by_shape_without_chrome_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing_text, "chrome_lines", frozenset)
    items = read_text((SEEDS / "000_2a00aa8dfd2c52e5.txt").read_bytes())
    assert len(items) == 12 and items[0].title.startswith("On Improved Conditioning")


def test_paragraph_before_any_title_is_rejected() -> None:
    prose = ("This paragraph has no title above it, so the reader cannot tell which paper it "
             "belongs to. It is long enough to be an abstract and reads like prose, with more "
             "than one sentence in it. ") * 2
    items = read_text(prose + "\nA Real Title\nAda Lovelace\n", "orphan.txt")
    assert [type(i).__name__ for i in items] == ["Rejected", "Record"]
    bad = items[0]
    assert isinstance(bad, Rejected)
    assert bad.reason == Reason.NO_TITLE.value and bad.line == 1
    assert bad.detail.startswith("orphan.txt:1: ")
    assert json.loads(bad.record)["lines"][0][0] == 1


def test_title_only_entries_are_records() -> None:
    items = read_text("First Lonely Title of a Paper\nSecond Lonely Title of a Paper\n")
    assert [(r.title, r.authors, r.abstract) for r in items] == [
        ("First Lonely Title of a Paper", (), None), ("Second Lonely Title of a Paper", (), None)]


@pytest.mark.parametrize("line", [
    "Tariq Berrada", "Jackie C.K. Cheung", "Lei M Zhang", "John D Co-Reyes", "Payel Das",
    "Quoc V. Le", "Anke van der Berg", "Conor O'Brien", "Yann LeCun", "Neal J. Evans II",
    "C. -P. Yuan", "MingYu Lu", "Stephanie C.Y. Chan",
])
def test_person_names(line: str) -> None:
    assert listing_text.classify_line(line) == "names"


@pytest.mark.parametrize("line", [
    "Many-Shot In-Context Learning", "Order-Preserving GFlowNets", "Mask R-CNN",
    "Searching Latent Program Spaces", "Flow Matching in Latent Space", "Lions, Tigers and Bears",
    "Attention Is All You Need", "PALBERT: Teaching ALBERT to Ponder", "FRATERNAL DROPOUT",
    "Do LLMs Build World Representations? Probing Through the Lens of State Abstraction",
])
def test_titles(line: str) -> None:
    assert listing_text.classify_line(line) == "title"


def test_chrome_and_author_lists() -> None:
    assert listing_text.classify_line("Get trending papers in your email inbox!") == "chrome"
    assert listing_text.classify_line("  LOAD   more ") == "chrome"
    assert listing_text.classify_line("— 12 —") == "chrome"
    assert listing_text.parse_names("Ann Lee; Bo Chen & Cy Dow") == ("Ann Lee", "Bo Chen", "Cy Dow")
    assert listing_text.chrome_lines() is listing_text.chrome_lines()  # loaded once


@pytest.mark.parametrize(("data", "expected"), [
    ((SEEDS / "000_2a00aa8dfd2c52e5.txt").read_bytes(), True),
    (b"A Study of Short Titles\nAda Lovelace\n", True),
    (b"# Heading\n\nShort Title\nAda Lovelace\n", False),
    (b"| a | b |\n|---|---|\nShort Title\nAda Lovelace\n", False),
    (b"title,authors\nShort Title,Ada Lovelace\n", False),
    (b'{"title": "x"}\n', False),
    (b"just one short line\n", False),
    (b"Short Title\x00\nAda Lovelace\n", False),
    (b"", False),
])
def test_sniff(data: bytes, expected: bool) -> None:
    assert listing_text.sniff(data) is expected
