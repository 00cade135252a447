"""`report.html` is one self-contained page: a leaderboard per (dataset, metric, resolution)
holding exactly the `leaderboards` rows, numbers marked in their evidence, and a search box
that filters rows. Checked as text and in headless Chromium (no console errors)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from test_load import (
    DIRECTIONS,
    ROOT,
    sample_rows,
    sample_tables,
    seed_release,
    write_sample_release,
)

from pipeline.publish.report import evidence_html, group_boards, pick_link, render_report

ARTIFACTS = Path(__file__).parent / "artifacts"
GOLD = [json.loads(x) for x in (ROOT / "tests/fixtures/gold/seeds.jsonl").read_text().splitlines()]


def _page(variant: str = "v1", **kw: Any) -> str:
    rows, tables = sample_rows(variant), sample_tables(variant)
    return render_report(
        tables["leaderboards"].to_pylist(),
        rows["papers"],
        rows["code_links"],
        DIRECTIONS,
        version="0.1.0-test",
        **kw,
    )


def test_one_board_per_dataset_metric_resolution_best_first() -> None:
    boards = group_boards(sample_tables()["leaderboards"].to_pylist(), DIRECTIONS)
    keys = [k for k, _ in boards]
    assert keys == [("CIFAR-10", "FID", None), ("FFHQ", "FID", 64), ("ImageNet", "FID", 64)]
    cifar = boards[0][1]
    assert [(rank, row["value"]) for rank, row in cifar] == [(1, 1.30), (2, 1.91), (3, 2.24),
                                                            (4, 2.51)]  # fmt: skip
    # Higher-is-better metrics rank the other way; ties share a rank.
    rows = [
        {"dataset": "D", "metric": "IS", "resolution": None, "setting": None, "steps": None,
         "paper_id": p, "value": v, "unit": None, "evidence": str(v)}
        for p, v in (("a", 9.0), ("b", 11.0), ("c", 9.0))
    ]  # fmt: skip
    [(_, ranked)] = group_boards(rows, DIRECTIONS)
    assert [(r, row["paper_id"]) for r, row in ranked] == [(1, "b"), (2, "a"), (2, "c")]


def test_page_is_self_contained() -> None:
    page = _page()
    assert "<style>" in page and "<script>" in page
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page)
    assert not re.search(r"<link[^>]*stylesheet", page)
    assert "@import" not in page and "url(" not in page
    # The only URLs are plain links (arXiv, code).
    for url in re.findall(r"https?://[^\"'<> ]+", page):
        assert url.startswith(("https://arxiv.org/abs/", "https://github.com/")), url


def test_rows_carry_title_code_link_and_marked_number() -> None:
    page = _page()
    assert page.count('<tr class="row"') == sample_tables()["leaderboards"].num_rows
    assert "new records of <mark>1.30</mark>/0.97" in page
    assert '<a href="https://github.com/newbeeer/pfgmpp">github.com/newbeeer/pfgmpp</a>' in page
    assert "PFGM++: Unlocking the Potential of Physics-Inspired Generative Models" in page
    assert '<td class="num value">1.30</td>' in page


def test_text_is_escaped() -> None:
    rows = sample_rows()
    rows["papers"][0]["title"] = "<script>alert(1)</script> & co"
    page = render_report(
        sample_tables()["leaderboards"].to_pylist(), rows["papers"], [], DIRECTIONS, version="x"
    )
    assert (
        "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    )
    assert evidence_html("a < 1.5 & b", 1.5) == "a &lt; <mark>1.5</mark> &amp; b"


def test_pick_link_prefers_code_then_project() -> None:
    assert pick_link([{"url": "https://p.org", "kind": "project"}]) == "https://p.org"
    links = [
        {"url": "https://p.org", "kind": "project"},
        {"url": "https://g.com/x", "kind": "code"},
    ]
    assert pick_link(links) == "https://g.com/x"
    assert pick_link([{"url": "https://o.org", "kind": "other"}]) is None


def test_empty_release_page() -> None:
    page = render_report([], [], [], DIRECTIONS, version="x")
    assert "No leaderboard rows in this release." in page and "0 of 0 rows" in page


def test_a_huge_board_draws_its_best_rows_and_counts_the_rest() -> None:
    from pipeline.publish.report import MAX_ROWS_PER_BOARD

    n = MAX_ROWS_PER_BOARD + 37
    rows = [
        {"dataset": "D", "metric": "FID", "resolution": None, "setting": None, "steps": None,
         "paper_id": f"p{i}", "value": float(i + 1), "unit": None, "evidence": f"FID {i + 1}"}
        for i in range(n)
    ]  # fmt: skip
    page = render_report(rows, [], [], DIRECTIONS, version="x")
    drawn = re.findall(r'<tr class="row" data-paper-id="(p\d+)"', page)
    assert drawn == [f"p{i}" for i in range(MAX_ROWS_PER_BOARD)]  # best (lowest FID) first
    assert f"{n} rows</small>" in page  # the heading counts every row
    assert f"37 more rows (ranks after {MAX_ROWS_PER_BOARD})" in page
    assert f"{MAX_ROWS_PER_BOARD} of {MAX_ROWS_PER_BOARD} rows" in page


# --- in a browser -------------------------------------------------------------------------

CHROME_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1400",
)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.skip("chromium and chromedriver are needed: run `make browser`")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (*CHROME_ARGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which would go online) is never run.
    drv = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        yield drv
    finally:
        drv.quit()


def _open(driver: Any, release: Path, query: str = "") -> None:
    driver.get((release / "report.html").as_uri() + query)
    driver.get_log("browser")  # drop entries of earlier pages


def _console_errors(driver: Any) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def _visible_rows(driver: Any) -> list[Any]:
    return driver.find_elements("css selector", "tr.row:not([hidden])")


def _type(driver: Any, text: str) -> None:
    box = driver.find_element("id", "search")
    box.clear()
    if text:
        box.send_keys(text)
    else:  # clear() fires no input event
        driver.execute_script(
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", box
        )


@pytest.fixture(scope="module")
def sample_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_release(tmp_path_factory.mktemp("report") / "release")


def test_browser_loads_without_console_errors_and_search_filters(
    driver: Any, sample_release: Path
) -> None:
    driver.get((sample_release / "report.html").as_uri())
    assert _console_errors(driver) == []
    total = pq.read_metadata(sample_release / "leaderboards.parquet").num_rows
    assert len(_visible_rows(driver)) == total
    assert driver.find_element("id", "count").text == f"{total} of {total} rows"

    _type(driver, "training consistency")
    rows = _visible_rows(driver)
    assert rows and len(rows) < total
    for row in rows:
        assert "Training Consistency Models" in row.text
    boards = driver.find_elements("css selector", "section.board:not([hidden])")
    assert {b.get_attribute("data-dataset") for b in boards} == {"CIFAR-10", "ImageNet"}
    assert driver.find_element("id", "count").text == f"{len(rows)} of {total} rows"

    _type(driver, "ffhq 64px")  # the board's dataset and resolution are searchable too
    assert [r.get_attribute("data-paper-id") for r in _visible_rows(driver)] == ["arxiv:2302.04265"]
    _type(driver, "no such words anywhere")
    assert _visible_rows(driver) == []
    assert driver.find_elements("css selector", "section.board:not([hidden])") == []
    _type(driver, "")
    assert len(_visible_rows(driver)) == total
    assert _console_errors(driver) == []


def test_browser_query_parameter_prefills_search(driver: Any, sample_release: Path) -> None:
    _open(driver, sample_release, "?q=pfgm")
    assert driver.find_element("id", "search").get_attribute("value") == "pfgm"
    assert {r.get_attribute("data-paper-id") for r in _visible_rows(driver)} == {"arxiv:2302.04265"}


@pytest.mark.slow
def test_browser_seed_release_cifar10_fid_board(
    driver: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    release = seed_release(tmp_path_factory)
    driver.get((release / "report.html").as_uri())
    assert _console_errors(driver) == []

    expected = [
        (r["paper_id"], r["value"])
        for r in pq.read_table(release / "leaderboards.parquet").to_pylist()
        if r["dataset"] == "CIFAR-10" and r["metric"] == "FID"
    ]
    boards = driver.find_elements(
        "css selector", 'section.board[data-dataset="CIFAR-10"][data-metric="FID"]'
    )
    assert boards, "no CIFAR-10 FID leaderboard on the page"
    shown = []
    for board in boards:
        for row in board.find_elements("css selector", "tr.row"):
            value = row.find_element("css selector", "td.value").text
            mark = row.find_element("css selector", "td.evidence mark").text
            assert mark == value  # the number is highlighted inside its sentence
            shown.append((row.get_attribute("data-paper-id"), float(value)))
    assert sorted(shown) == sorted(expected)

    # Every value shown is one the gold annotations give for CIFAR-10 FID, and the best is
    # DDO's 1.30, first on its board.
    gold = {
        r["value"]
        for g in GOLD
        for r in g["results"]
        if r["metric"] == "FID" and r["dataset"] == "CIFAR-10" and r["kind"] == "absolute"
    }
    assert {v for _, v in shown} <= gold
    first = boards[0].find_element("css selector", "tr.row")
    assert first.find_element("css selector", "td.value").text == "1.30"
    assert "Direct Discriminative Optimization" in first.text

    # Searching keeps that board whole and drops rows that never mention CIFAR-10.
    _type(driver, "CIFAR-10 FID")
    for board in boards:
        assert board.is_displayed()
        assert all(r.is_displayed() for r in board.find_elements("css selector", "tr.row"))
    total = len(driver.find_elements("css selector", "tr.row"))
    visible = _visible_rows(driver)
    assert len(visible) < total
    for row in visible:
        board = row.find_element("xpath", "ancestor::section")
        assert "cifar-10" in (board.get_attribute("data-key") + row.text).lower()
    ARTIFACTS.mkdir(exist_ok=True)
    _type(driver, "")
    driver.save_screenshot(str(ARTIFACTS / "report.png"))
    assert (ARTIFACTS / "report.png").read_bytes()[:4] == b"\x89PNG"
