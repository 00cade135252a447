"""Publication date, categories, venue and licence are read from every format that has them:
the real files in `tests/fixtures/formats` (arXiv snapshot, Hugging Face Daily Papers, Papers
with Code) and tables by common column names; dates parse from ISO and RFC 2822 and never
from a bare year; the parsers never raise.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest import read_input, scan_inputs
from pipeline.ingest.metadata import (
    arxiv_metadata,
    category_list,
    iso_date,
    table_metadata,
)
from pipeline.records import Record

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "fixtures" / "formats"


def test_dates() -> None:
    assert iso_date("Mon, 2 Apr 2007 19:18:42 GMT") == "2007-04-02"
    assert iso_date("2024-10-24T13:01:55.000Z") == "2024-10-24"
    assert iso_date("2008-11-13") == "2008-11-13"
    assert iso_date("2024") is None and iso_date("2024-13-40") is None and iso_date(None) is None


@given(st.one_of(st.text(), st.none(), st.integers(), st.lists(st.text())))
def test_parsers_never_raise(value: object) -> None:
    iso_date(value)
    category_list(value)
    table_metadata({"date": value, "tags": value, "venue": value})


def test_arxiv_record() -> None:
    meta = arxiv_metadata({
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
        "update_date": "2008-11-13", "categories": "hep-ph cs.LG",
        "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "journal-ref": "Phys.Rev.D76:013009,2007",
    })
    assert meta.published == "2007-04-02" and meta.categories == ("hep-ph", "cs.LG")
    assert meta.venue == "Phys.Rev.D76:013009,2007" and meta.license is not None
    assert arxiv_metadata({"update_date": "2008-11-13"}).published == "2008-11-13"


def test_table_columns_by_common_names() -> None:
    meta = table_metadata({"Title": "x", "Published": "2024-05-01", "Tags": "a; b",
                           "Conference": "ICLR 2025", "Licence": "CC BY 4.0"})
    assert meta.published == "2024-05-01" and meta.categories == ("a", "b")
    assert meta.venue == "ICLR 2025" and meta.license == "CC BY 4.0"


def _records(folder: Path, name: str) -> list[Record]:
    (f,) = [f for f in scan_inputs(folder) if f.name == name]
    return [r for r in read_input(folder, f) if isinstance(r, Record)]


def test_real_files_carry_their_metadata() -> None:
    arxiv = _records(FORMATS / "arxiv", "arxiv-metadata-oai-snapshot.head.jsonl")
    assert arxiv and all(r.published and r.categories for r in arxiv)
    # The first line's v1 is "Mon, 2 Apr 2007 19:18:42 GMT"; its categories "hep-ph".
    assert arxiv[0].published == "2007-04-02"
    assert arxiv[0].categories == ("hep-ph",)
    for name in ("daily_papers_2024-10-25.json",
                 "saffee666_hf-daily-papers-mirror_index_2026-10-03.json"):
        hf = _records(FORMATS / "hf", name)
        assert hf and all(r.published for r in hf), name
    pwc = _records(FORMATS / "pwc", "papers_api_list.json")
    assert pwc and any(r.published for r in pwc)


@given(st.datetimes(min_value=datetime.datetime(1990, 1, 1)))
def test_rfc_fast_path_equals_email_utils(when: object) -> None:
    import email.utils

    text = email.utils.format_datetime(when)  # type: ignore[arg-type]
    assert iso_date(text) == email.utils.parsedate_to_datetime(text).date().isoformat()
