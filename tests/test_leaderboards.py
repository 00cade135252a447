"""`leaderboards`: boards per (task, dataset, metric, resolution, setting, steps) that rank
abstract claims and curated results together, 1..n on every board."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pyarrow as pa
from budget import budget
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.publish.leaderboards import (
    GROUP,
    build_leaderboards,
    curated_board_rows,
    direction_of,
    metric_directions,
)
from pipeline.schemas import arrow_schema

DIRECTIONS = metric_directions()


def _result(pid: str, value: float, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "paper_id": pid, "metric": "FID", "value": value, "unit": None, "kind": "absolute",
        "dataset": "ImageNet", "resolution": 256, "role": "proposed", "steps": None,
        "setting": None, "model": None, "task": "Image Generation",
        "evidence": f"FID {value} on ImageNet 256x256.", "start": 0, "end": 10}
    row.update(kw)
    return row


def _curated(pid: str | None, value: float, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "paper_id": pid, "paper_title": "T", "task": "Image Generation",
        "dataset": "ImageNet 256x256", "metric": "FID", "value": value, "unit": None,
        "model": "M", "published": dt.date(2023, 1, 2), "source_file": "b.json", "line": 3}
    row.update(kw)
    return row


def _table(name: str, rows: list[dict[str, object]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=arrow_schema(name))


def test_curated_and_abstract_rows_share_a_board() -> None:
    results = _table("results", [_result("a", 2.27), _result("b", 1.8, model="VAR")])
    curated = _table("curated_results", [_curated("c", 2.1), _curated(None, 0.5)])
    dates = {"a": dt.date(2022, 12, 19), "b": dt.date(2024, 4, 3), "c": dt.date(2020, 1, 1)}
    rows = build_leaderboards(results, DIRECTIONS, curated, dates).to_pylist()
    # the curated row without a paper is not on a board (it stays in curated_results)
    assert [(r["paper_id"], r["rank"], r["source"]) for r in rows] == [
        ("b", 1, "abstract"), ("c", 2, "curated"), ("a", 3, "abstract")]
    assert {(r["dataset"], r["resolution"], r["task"]) for r in rows} == {
        ("ImageNet", 256, "Image Generation")}
    assert rows[0]["model"] == "VAR" and rows[0]["published"] == dt.date(2024, 4, 3)
    assert rows[1]["published"] == dt.date(2023, 1, 2)  # the curated row's own date wins
    assert rows[1]["evidence"] == "b.json row 3: FID 2.1"


def test_curated_names_are_made_canonical_where_known() -> None:
    curated = _table("curated_results", [
        _curated("p", 20.4, dataset="ImageNet-1k", metric="Top-1 Error", task="Classification"),
        _curated("p", 69.0, dataset="VQA v9", metric="Overall score", task=None),
        _curated("p", 37.1, dataset="COCO", metric="Average Precision (%)"),
    ])
    rows = curated_board_rows(curated).to_pylist()
    assert [(r["dataset"], r["metric"], r["task"]) for r in rows] == [
        ("ImageNet", "error rate", "Classification"),
        ("VQA v9", "Overall score", None),  # unknown to both gazetteers: kept as named
        ("MS-COCO", "mAP", "Image Generation"),  # the curators' task is kept
    ]


def test_unknown_metric_direction_comes_from_its_words() -> None:
    assert direction_of("FID", DIRECTIONS) == "lower"
    assert direction_of("accuracy", DIRECTIONS) == "higher"
    assert direction_of("Mean Rank", DIRECTIONS) == "lower"
    assert direction_of("Test Loss", DIRECTIONS) == "lower"
    assert direction_of("Rank-1", DIRECTIONS) == "higher"  # retrieval accuracy at rank 1
    assert direction_of("Overall score", DIRECTIONS) == "higher"
    # a cut-off keeps its table entry's direction
    assert direction_of("Recall@20", {"Recall@k": "higher"}) == "higher"
    assert direction_of("MAE@5", {"MAE": "lower"}) == "lower"


_ROW = st.tuples(
    st.sampled_from(["p1", "p2", "p3", "p4"]),
    st.sampled_from([1.0, 2.0, 2.5]),
    st.sampled_from(["FID", "accuracy", "Mean Rank"]),
    st.sampled_from([None, 64]),
    st.booleans(),
)


@given(st.lists(_ROW, max_size=25))
@settings(max_examples=budget(200))
def test_every_board_ranks_one_to_n_best_first(rows: list[tuple]) -> None:
    results, curated = [], []
    for pid, value, metric, res, is_curated in rows:
        if is_curated:
            name = "ImageNet" if res is None else f"ImageNet {res}x{res}"
            curated.append(_curated(pid, value, metric=metric, dataset=name))
        elif metric in DIRECTIONS:
            results.append(_result(pid, value, metric=metric, resolution=res))
    table = build_leaderboards(_table("results", results), DIRECTIONS,
                               _table("curated_results", curated))
    boards: dict[tuple, list[dict]] = defaultdict(list)
    for r in table.to_pylist():
        boards[tuple(r[k] for k in GROUP)].append(r)
    assert sum(len(b) for b in boards.values()) == table.num_rows
    for key, board in boards.items():
        ranks = [r["rank"] for r in board]
        assert ranks[0] == 1 and ranks == sorted(ranks) and ranks[-1] <= len(board)
        lower = direction_of(key[2], DIRECTIONS) == "lower"
        values = [r["value"] if lower else -r["value"] for r in board]
        assert values == sorted(values)
        for a, b in zip(board, board[1:], strict=False):
            assert (a["rank"] == b["rank"]) == (a["value"] == b["value"])
        abstract = [r["paper_id"] for r in board if r["source"] == "abstract"]
        assert len(abstract) == len(set(abstract))  # one abstract row per paper and board
    assert sum(r["source"] == "curated" for r in table.to_pylist()) == len(curated)
