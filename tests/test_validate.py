"""Validate stage: every bad row is quarantined alone with its reason code, good rows
survive unchanged, and rows in == rows out + rejected for any mix of rows (hypothesis)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from budget import budget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import GazetteerError, PipelineError, Reason
from pipeline.schemas import arrow_schema, to_table
from pipeline.validate.checks import (
    CLAIM_TABLES,
    TABLES,
    KnownIds,
    ValidationOutcome,
    hash_ids,
    repeated_by_hash,
    repeated_values,
    validate_tables,
)
from pipeline.validate.ranges import load_metric_ranges
from pipeline.validate.spans import span_matches
from pipeline.validate.suites import PAPER_KNOWN, gx_suite, load_expectations

REAL_METRICS = Path(__file__).resolve().parent.parent / "gazetteers" / "metrics.csv"

ABSTRACT = (
    "Fréchet × diffusion: we reach an FID of 1.30 on CIFAR-10 at 32×32 and 85.2% accuracy "
    "on ImageNet, a 30% gain."
)
TITLE = "Fast Diffusion on CIFAR-10"
METRICS_CSV = (
    "metric,aliases,direction,min,max,unit\n"
    "FID,FID score|Fréchet Inception Distance,lower,0,,\n"
    "accuracy,acc|top-1 accuracy,higher,0,100,%\n"
    "IS,Inception Score,higher,1,,\n"
)


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gaz") / "metrics.csv"
    path.write_text(METRICS_CSV, encoding="utf-8")
    return path


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def paper(pid: str = "arxiv:1", line: int = 1, **kw: Any) -> dict[str, Any]:
    row = {
        "paper_id": pid,
        "title": TITLE,
        "authors": ["A. Author"],
        "abstract": ABSTRACT,
        "source_file": "listing.jsonl",
        "source_format": "arxiv_jsonl",
        "line": line,
        "arxiv_id": None,
        "urls": [],
        "sources": [f"listing.jsonl:{line}"],
        "categories": [],
    }
    return row | kw


def result(pid: str = "arxiv:1", evidence: str = "FID of 1.30", **kw: Any) -> dict[str, Any]:
    start, end = span(ABSTRACT, evidence)
    row = {
        "paper_id": pid,
        "metric": "FID",
        "value": 1.30,
        "unit": None,
        "kind": "absolute",
        "dataset": "CIFAR-10",
        "resolution": 32,
        "role": "proposed",
        "steps": None,
        "setting": None,
        "model": None,
        "evidence": evidence,
        "start": start,
        "end": end,
    }
    return row | kw


def link(
    pid: str = "arxiv:1", url: str = "https://github.com/owner/repo", **kw: Any
) -> dict[str, Any]:
    return {"paper_id": pid, "url": url, "kind": "code", "mention": url} | kw


def mention(pid: str = "arxiv:1", text: str = "CIFAR-10", **kw: Any) -> dict[str, Any]:
    start, end = span(ABSTRACT, text)
    row = {"paper_id": pid, "dataset": text, "mention": text, "start": start, "end": end}
    return row | {"in_gazetteer": True} | kw


def resolution(pid: str = "arxiv:1", text: str = "32×32", **kw: Any) -> dict[str, Any]:
    start, end = span(ABSTRACT, text)
    row = {"paper_id": pid, "pixels": 32, "mention": text, "dataset": "CIFAR-10"}
    return row | {"start": start, "end": end} | kw


def good_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "papers": [paper("arxiv:1", 1), paper("arxiv:2", 2, abstract=None)],
        "code_links": [link(), link(url="https://example.org/project?x=1", kind="project")],
        "dataset_mentions": [
            mention(),
            mention(text="ImageNet"),
            # A mention in the title (the paper has no abstract).
            mention("arxiv:2", start=TITLE.index("CIFAR-10"), end=TITLE.index("CIFAR-10") + 8),
        ],
        "resolutions": [resolution()],
        "results": [
            result(),
            result(evidence="85.2% accuracy", metric="accuracy", value=85.2, unit="%"),
            result(evidence="30% gain", metric="FID", value=30.0, unit="%", kind="relative"),
            result(evidence="FID of 1.30", metric="unlisted metric", value=-5.0),
        ],
    }


def build(rows: dict[str, list[dict[str, Any]]]) -> dict[str, pa.Table]:
    return {name: to_table(name, rows.get(name, [])) for name in TABLES}


def table_of(rejected_detail: str) -> str:
    m = re.search(r": (\w+)\[\d+\] ", rejected_detail)
    assert m, rejected_detail
    return m.group(1)


def test_good_rows_all_survive(metrics: Path) -> None:
    tables = build(good_rows())
    out = validate_tables(tables, metrics)
    assert out.rejected == []
    for name in TABLES:
        assert out.tables[name].schema == arrow_schema(name)
        assert out.tables[name].equals(tables[name])
    assert all(c["success"] and c["unexpected_count"] == 0 for c in out.checks)
    json.dumps(out.checks)  # the manifest stores them as JSON


def test_checks_cover_every_expectation(metrics: Path) -> None:
    out = validate_tables(build(good_rows()), metrics)
    for name in TABLES:
        run = [c for c in out.checks if c["table"] == name]
        gx = [c["expectation"] for c in run if c["expectation"].startswith("expect_")]
        assert sorted(gx) == sorted(s.type for s in load_expectations(name))
        assert {"table", "expectation", "success", "unexpected_count"} <= set(run[0])
    python = {(c["table"], c["expectation"]) for c in out.checks}
    assert ("results", "evidence_is_text_span") in python
    assert ("results", "value_in_metric_range") in python
    assert ("dataset_mentions", "mention_is_text_span") in python
    assert ("resolutions", "mention_is_text_span") in python


BAD_CLAIMS: list[tuple[str, str, dict[str, Any], Reason]] = [
    ("results", "orphan", result("arxiv:404"), Reason.ORPHAN),
    (
        "results",
        "evidence mismatch",
        result(evidence="FID of 1.30", start=0),
        Reason.EVIDENCE_MISMATCH,
    ),
    (
        "results",
        "evidence changed",
        result() | {"evidence": "FID of 1.31"},
        Reason.EVIDENCE_MISMATCH,
    ),
    ("results", "span past the end", result(end=len(ABSTRACT) + 5), Reason.EVIDENCE_MISMATCH),
    ("results", "no abstract", result("arxiv:2"), Reason.EVIDENCE_MISMATCH),
    ("results", "FID -1", result(value=-1.0), Reason.OUT_OF_RANGE),
    ("results", "FID alias -1", result(metric="fid score", value=-1.0), Reason.OUT_OF_RANGE),
    (
        "results",
        "accuracy 140 %",
        result(evidence="85.2% accuracy", metric="accuracy", value=140.0, unit="%"),
        Reason.OUT_OF_RANGE,
    ),
    ("results", "infinite value", result(value=math.inf, metric="x"), Reason.OUT_OF_RANGE),
    ("results", "NaN value", result(value=math.nan), Reason.SCHEMA),
    ("results", "bad kind", result(kind="absolut"), Reason.BAD_ENUM),
    ("results", "bad role", result(role="winner"), Reason.BAD_ENUM),
    ("results", "bad unit", result(unit="dB"), Reason.BAD_ENUM),
    ("results", "resolution 3", result(resolution=3), Reason.BAD_RESOLUTION),
    ("results", "negative start", result(start=-1), Reason.SCHEMA),
    ("results", "empty span", result() | {"end": result()["start"]}, Reason.SCHEMA),
    (
        "results",
        "null evidence",
        result(evidence="FID of 1.30") | {"evidence": None},
        Reason.SCHEMA,
    ),
    ("results", "blank metric", result(metric=" "), Reason.SCHEMA),
    ("code_links", "http", link(url="http://github.com/owner/repo"), Reason.BAD_URL),
    ("code_links", "no host", link(url="https:///owner/repo"), Reason.BAD_URL),
    ("code_links", "no scheme", link(url="github.com/owner/repo"), Reason.BAD_URL),
    ("code_links", "upper host", link(url="https://GitHub.com/owner/repo"), Reason.BAD_URL),
    ("code_links", "trailing slash", link(url="https://github.com/owner/repo/"), Reason.BAD_URL),
    ("code_links", ".git", link(url="https://github.com/owner/repo.git"), Reason.BAD_URL),
    ("code_links", "newline", link(url="https://github.com/owner/repo\n"), Reason.BAD_URL),
    ("code_links", "bad kind", link(kind="repository"), Reason.BAD_ENUM),
    ("code_links", "orphan", link("arxiv:404"), Reason.ORPHAN),
    (
        "dataset_mentions",
        "mention mismatch",
        mention(mention="CIFAR-100"),
        Reason.EVIDENCE_MISMATCH,
    ),
    ("dataset_mentions", "offset shifted", mention(start=1, end=9), Reason.EVIDENCE_MISMATCH),
    ("dataset_mentions", "end before start", mention(start=9, end=1), Reason.SCHEMA),
    ("dataset_mentions", "blank dataset", mention(dataset=""), Reason.SCHEMA),
    ("resolutions", "3 px", resolution(pixels=3), Reason.BAD_RESOLUTION),
    ("resolutions", "20000 px", resolution(pixels=20000), Reason.BAD_RESOLUTION),
    ("resolutions", "mention mismatch", resolution(mention="64×64"), Reason.EVIDENCE_MISMATCH),
    ("resolutions", "orphan", resolution("title:0000"), Reason.ORPHAN),
]


@pytest.fixture(scope="module")
def bad_run(metrics: Path) -> ValidationOutcome:
    """One run over the good rows with every bad claim of BAD_CLAIMS inserted after the
    first good row of its table (one GX run for all cases keeps the module fast)."""
    rows = good_rows()
    for name in CLAIM_TABLES:
        bad = [row for t, _, row, _ in BAD_CLAIMS if t == name]
        rows[name] = rows[name][:1] + bad + rows[name][1:]
    return validate_tables(build(rows), metrics)


def test_bad_claims_leave_papers_and_good_rows(bad_run: ValidationOutcome) -> None:
    assert len(bad_run.rejected) == len(BAD_CLAIMS)
    expected = build(good_rows())
    for name in TABLES:  # the paper survives and so do all the good rows
        assert bad_run.tables[name].equals(expected[name]), name


@pytest.mark.parametrize(
    ("table", "bad", "reason"),
    [pytest.param(t, row, r, id=f"{t}-{label}") for t, label, row, r in BAD_CLAIMS],
)
def test_bad_claim_is_quarantined_alone(
    bad_run: ValidationOutcome, table: str, bad: dict[str, Any], reason: Reason
) -> None:
    pos = 1 + [row for t, _, row, _ in BAD_CLAIMS if t == table].index(bad)
    hits = [r for r in bad_run.rejected if f": {table}[{pos}] " in r.detail]
    assert [r.reason for r in hits] == [reason.value]
    rej = hits[0]
    assert rej.stage == "validate"
    if bad["paper_id"] in {"arxiv:1", "arxiv:2"}:
        line = 1 if bad["paper_id"] == "arxiv:1" else 2
        assert (rej.source_file, rej.line) == ("listing.jsonl", line)
        assert rej.detail.startswith(f"listing.jsonl:{line}: ")
    else:
        assert (rej.source_file, rej.line) == ("", None)
    record = json.loads(rej.record)
    assert set(record) == set(arrow_schema(table).names)
    assert record["paper_id"] == bad["paper_id"]


def test_duplicate_paper_id_keeps_the_first(metrics: Path) -> None:
    rows = good_rows()
    rows["papers"].append(paper("arxiv:1", 7, title="A later copy"))
    out = validate_tables(build(rows), metrics)
    assert [(r.reason, r.source_file, r.line) for r in out.rejected] == [
        (Reason.DUPLICATE_ID.value, "listing.jsonl", 7)
    ]
    assert out.tables["papers"].column("title").to_pylist() == [TITLE, TITLE]
    assert out.tables["results"].num_rows == len(rows["results"])
    check = next(c for c in out.checks if c["expectation"] == "expect_column_values_to_be_unique")
    assert (check["success"], check["unexpected_count"], check["quarantined"]) == (False, 2, 1)


def test_duplicate_keeps_the_first_valid_row(metrics: Path) -> None:
    rows = good_rows()
    rows["papers"] = [paper("arxiv:1", 1, title=" "), paper("arxiv:1", 5), paper("arxiv:2", 2)]
    out = validate_tables(build(rows), metrics)
    assert sorted((r.reason, r.line) for r in out.rejected) == [(Reason.NO_TITLE.value, 1)]
    assert out.tables["papers"].column("line").to_pylist() == [5, 2]


def test_failing_paper_takes_its_claims_as_orphans(metrics: Path) -> None:
    rows = good_rows()
    rows["papers"][0]["title"] = "   "
    out = validate_tables(build(rows), metrics)
    reasons = [(table_of(r.detail), r.reason) for r in out.rejected]
    assert reasons[0] == ("papers", Reason.NO_TITLE.value)
    assert {r for t, r in reasons[1:]} == {Reason.ORPHAN.value}
    # Every claim of arxiv:1 went, with the paper's source position.
    assert all(r.line == 1 and r.source_file == "listing.jsonl" for r in out.rejected)
    for name in CLAIM_TABLES:
        assert set(out.tables[name].column("paper_id").to_pylist()) <= {"arxiv:2"}


def test_null_paper_id_is_a_schema_violation(metrics: Path) -> None:
    rows = good_rows()
    rows["papers"].append(paper(None, 9))  # type: ignore[arg-type]
    out = validate_tables(build(rows), metrics)
    assert [(r.reason, r.line) for r in out.rejected] == [(Reason.SCHEMA.value, 9)]


def test_first_failing_check_decides_the_reason(metrics: Path) -> None:
    rows = good_rows()
    rows["results"].append(result("arxiv:404", kind="bogus", value=-1.0))
    out = validate_tables(build(rows), metrics)
    assert [r.reason for r in out.rejected] == [Reason.ORPHAN.value]
    kinds = next(c for c in out.checks if c["table"] == "results" and c["column"] == "kind")
    assert (kinds["unexpected_count"], kinds["quarantined"]) == (1, 0)


def test_tables_are_cast_to_the_schema(metrics: Path) -> None:
    tables = build(good_rows())
    res = tables["results"]
    narrow = res.set_column(
        res.schema.get_field_index("start"), "start", res.column("start").cast(pa.int32())
    ).append_column("extra", pa.array([1] * res.num_rows))
    out = validate_tables(tables | {"results": narrow}, metrics)
    assert out.tables["results"].schema == arrow_schema("results")
    assert out.tables["results"].equals(res)


def test_uncastable_column_is_a_hard_error(metrics: Path) -> None:
    tables = build(good_rows())
    res = tables["results"]
    broken = res.set_column(
        res.schema.get_field_index("value"), "value", pa.array(["lots"] * res.num_rows)
    )
    with pytest.raises(PipelineError, match=r"'results' column 'value'"):
        validate_tables(tables | {"results": broken}, metrics)
    with pytest.raises(PipelineError, match=r"'code_links': missing column\(s\) \['kind'\]"):
        validate_tables(tables | {"code_links": tables["code_links"].drop(["kind"])}, metrics)


def test_only_the_given_tables_come_back(metrics: Path) -> None:
    tables = build(good_rows())
    out = validate_tables({"papers": tables["papers"], "results": tables["results"]}, metrics)
    assert set(out.tables) == {"papers", "results"}
    with pytest.raises(PipelineError, match="papers table"):
        validate_tables({"results": tables["results"]}, metrics)
    with pytest.raises(PipelineError, match="unknown table"):
        validate_tables({"papers": tables["papers"], "leaderboard": tables["papers"]}, metrics)


def test_empty_tables(metrics: Path) -> None:
    out = validate_tables(build({}), metrics)
    assert out.rejected == []
    assert all(t.num_rows == 0 for t in out.tables.values())


def test_nothing_written_to_disk(
    metrics: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    validate_tables(build(good_rows()), metrics)
    assert list(tmp_path.iterdir()) == []


def test_metric_table_errors(tmp_path: Path) -> None:
    bad = tmp_path / "metrics.csv"
    bad.write_text("metric,aliases,direction,min,max,unit\nFID,,lower,zero,,\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"metrics.csv:2: column min"):
        load_metric_ranges(bad)
    bad.write_text("metric,min,max\nFID,0,\nFID,0,\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"metrics.csv:3: duplicate metric"):
        load_metric_ranges(bad)
    bad.write_text("metric,min,max\nSSIM,1,0\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"min 1.0 > max 0.0"):
        load_metric_ranges(bad)
    with pytest.raises(GazetteerError, match="cannot read"):
        load_metric_ranges(tmp_path / "missing.csv")


@pytest.mark.skipif(not REAL_METRICS.exists(), reason="gazetteers/metrics.csv not written yet")
def test_real_metric_table_loads() -> None:
    ranges = load_metric_ranges(REAL_METRICS)
    fid = ranges.names.index("FID")
    assert ranges.low[fid] == 0 and ranges.high[fid] == math.inf
    if "accuracy" in ranges.names:
        acc = ranges.names.index("accuracy")
        assert (ranges.low[acc], ranges.high[acc]) == (0, 100)


def test_expectation_files_are_valid() -> None:
    reasons = {r.value for r in Reason}
    for name in TABLES:
        specs = load_expectations(name)
        assert specs and all(s.reason in reasons for s in specs)
        assert len(gx_suite(name).expectations) == len(specs)
        if name in CLAIM_TABLES:
            assert specs[0].columns == (PAPER_KNOWN,) and specs[0].reason == Reason.ORPHAN


# ----------------------------------------------------------------------------- span_matches

TEXT = st.text(alphabet=st.sampled_from("ab é×€😀\n"), max_size=12)


@given(st.lists(st.tuples(TEXT, st.integers(-2, 14), st.integers(-2, 14), TEXT), max_size=8))
def test_span_matches_is_python_slicing(cases: list[tuple[str, int, int, str]]) -> None:
    texts = pa.chunked_array([pa.array([c[0] for c in cases], pa.string())])
    needles = pa.chunked_array(
        [pa.array([c[0][c[1] : c[2]] if i % 2 else c[3] for i, c in enumerate(cases)], pa.string())]
    )
    start = np.array([c[1] for c in cases], dtype=np.int64)
    end = np.array([c[2] for c in cases], dtype=np.int64)
    got = span_matches(texts, np.arange(len(cases), dtype=np.int64), needles, start, end)
    want = [
        0 <= s <= e <= len(t) and t[s:e] == n
        for (t, s, e, _), n in zip(cases, needles.to_pylist(), strict=True)
    ]
    assert got.tolist() == want


def test_span_matches_unknown_rows_and_chunks() -> None:
    texts = pa.chunked_array([["αβγ"], [None, "xyz"]])
    needles = pa.chunked_array([["β", "y"], ["y", "z"]])
    rows = np.array([0, 2, 1, -1], dtype=np.int64)
    start = np.array([1, 1, 1, 2], dtype=np.int64)
    end = np.array([2, 2, 2, 3], dtype=np.int64)
    assert span_matches(texts, rows, needles, start, end).tolist() == [True, True, False, False]


# ----------------------------------------------------------------------------- property

GOOD = good_rows()
BAD_BY_TABLE: dict[str, list[dict[str, Any]]] = {}
for _t, _label, _row, _reason in BAD_CLAIMS:
    BAD_BY_TABLE.setdefault(_t, []).append(_row)
BAD_BY_TABLE["papers"] = [paper("arxiv:1", 3), paper("arxiv:9", 4, title=""), paper(None, 5)]  # type: ignore[arg-type]


@st.composite
def mixed_tables(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        pool = GOOD[name] + BAD_BY_TABLE.get(name, [])
        out[name] = draw(st.lists(st.sampled_from(pool), max_size=6))
    return out


@settings(
    max_examples=budget(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mixed_tables())
def test_rows_are_conserved(metrics: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    tables = build(rows)
    out: ValidationOutcome = validate_tables(tables, metrics)
    rejected = [table_of(r.detail) for r in out.rejected]
    for name in TABLES:
        assert tables[name].num_rows == out.tables[name].num_rows + rejected.count(name)
        assert out.tables[name].schema == arrow_schema(name)
    ids = out.tables["papers"].column("paper_id").to_pylist()
    assert len(ids) == len(set(ids)) and None not in ids
    for name in CLAIM_TABLES:
        assert set(out.tables[name].column("paper_id").to_pylist()) <= set(ids)


def test_unit_metric_stated_in_percent_is_in_range(tmp_path: Path) -> None:
    from pipeline.schemas import to_table
    from pipeline.validate.checks import validate_tables

    csv_path = tmp_path / "m.csv"
    csv_path.write_text("metric,aliases,direction,min,max,unit\nGenEval,,higher,0,1,\n")
    abstract = "We reach a GenEval of 84% and 0.91 and 140%."
    papers = to_table(
        "papers",
        [
            {
                "paper_id": "p",
                "title": "T",
                "authors": [],
                "abstract": abstract,
                "source_file": "f",
                "source_format": "t",
                "line": 1,
                "arxiv_id": None,
                "urls": [],
                "sources": ["f:1"],
                "categories": [],
            }
        ],
    )

    def res(value: float, unit: str | None) -> dict[str, object]:
        return {
            "paper_id": "p",
            "metric": "GenEval",
            "value": value,
            "unit": unit,
            "kind": "absolute",
            "dataset": None,
            "resolution": None,
            "role": "proposed",
            "steps": None,
            "setting": None,
            "model": None,
            "evidence": abstract,
            "start": 0,
            "end": len(abstract),
        }

    results = to_table("results", [res(84, "%"), res(0.91, None), res(140, "%"), res(84, None)])
    out = validate_tables({"papers": papers, "results": results}, csv_path)
    assert out.tables["results"].column("value").to_pylist() == [84, 0.91]
    assert [r.reason for r in out.rejected] == ["PC203-value-out-of-range"] * 2


# ----------------------------------------------------------------------------- hashed ids

_IDS = st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "arxiv:1", "title:x", "é"])
                          | st.text(max_size=4)), max_size=40)


@given(_IDS, st.integers(1, 7))
@settings(max_examples=budget(100))
def test_repeated_by_hash_is_repeated_values(ids: list[str | None], size: int) -> None:
    column = pa.array(ids, pa.string())
    batches = pa.table({"paper_id": column}).to_batches(max_chunksize=size)
    got = repeated_by_hash(lambda: iter(batches), hash_ids(column))
    assert sorted(got.to_pylist()) == sorted(repeated_values(column).to_pylist())


@given(_IDS, _IDS, st.lists(st.sampled_from(["a", "b", "arxiv:1", "zz"]), max_size=3))
@settings(max_examples=budget(100))
def test_known_ids_is_membership_in_the_papers_left(
    papers: list[str | None], claims: list[str | None], removed: list[str]
) -> None:
    batches = pa.table({"paper_id": pa.array(papers, pa.string())}).to_batches(max_chunksize=3)
    # `removed`: rows removed, one id each; an id with more rows than that stays known.
    removed = [r for r in removed if r in papers]
    known = KnownIds.of(batches, pa.array(removed, pa.string()))
    left = {p for p in papers if p is not None and papers.count(p) > removed.count(p)}
    expected = [c is not None and c in left for c in claims]
    assert known.mask(pa.array(claims, pa.string())).tolist() == expected


def test_known_ids_of_no_papers_knows_nothing() -> None:
    known = KnownIds(np.empty(0, np.int64), pa.array([], pa.string()))
    assert known.mask(pa.array(["a", None], pa.string())).tolist() == [False, False]
