"""`report.html`: one self-contained page for reading a release.

It shows exactly the `leaderboards` boards (task, dataset, metric, resolution, setting,
steps) with their ranks, under a task -> dataset -> metric index; rows are compact (the
evidence cut to its number's neighbourhood, expandable), columns sort, and filters narrow
them (task, dataset, metric, setting, has code, date range, words). Each board has a trend
plot (best value over time by `published`), and each paper a view with all its claims
(relative and dataset-less ones too) and its links.

The page is data plus a renderer: the Python side (`report_data`) turns the tables into
compact JSON (papers and evidence sentences stored once, rows as arrays); `report.js` draws
only what is on screen, so a release of a million abstracts stays one file a browser opens.
CSS and JS are data files next to this module and are inlined: no fonts, no CDN; links to
arXiv and code are the only URLs.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.io import iter_batches
from pipeline.publish.leaderboards import GROUP, direction_of
from pipeline.tools.explain import value_span

if TYPE_CHECKING:
    from pipeline.publish.release import Release

Row = Mapping[str, Any]

HERE = Path(__file__).parent
MAX_ROWS_PER_BOARD = 200
"""Rows embedded per board; the rest are counted (all are in `leaderboards.parquet`). At
all-of-arXiv scale a board holds thousands of rows that nobody reads on a page."""
CLAIM_BUDGET = 50_000
"""Claims embedded for the per-paper view. A release with more embeds the claims of the
papers on a board (up to this many) and says so; every claim is in `results.parquet`."""


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else (str(value) if value else None)


def value_text(evidence: str, value: float, unit: str | None) -> str:
    """The value as the evidence writes it, with its unit."""
    span = value_span(evidence, value)
    text = evidence[span[0] : span[1]] if span else f"{value:g}"
    if unit in ("%", "x"):
        return text + unit
    return f"{text} {unit}" if unit else text


def pick_link(links: Sequence[Row]) -> str | None:
    """A paper's code repository, else its project page, else nothing."""
    for kind in ("code", "project"):
        urls = sorted(str(link["url"]) for link in links if link["kind"] == kind)
        if urls:
            return urls[0]
    return None


class _Strings:
    """Sentences stored once; rows point at them by index."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, text: str) -> int:
        i = self._index.get(text)
        if i is None:
            i = self._index[text] = len(self.items)
            self.items.append(text)
        return i


def _board_key(row: Row) -> tuple[Any, ...]:
    return tuple(row[k] for k in GROUP)


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for part in key:
        out += [part is not None, str(part).casefold() if isinstance(part, str) else part or 0]
    return tuple(out)


def report_data(
    leaderboards: Sequence[Row],
    papers: Sequence[Row],
    code_links: Sequence[Row],
    claims: Sequence[Row],
    directions: Mapping[str, str],
    *,
    version: str,
    counts: Mapping[str, int] | None = None,
    claims_note: str = "",
    mentions: Sequence[Row] = (),
) -> dict[str, Any]:
    """Everything the page draws, as compact JSON-ready data."""
    named: dict[str, set[str]] = {}
    for m in mentions:
        named.setdefault(str(m["paper_id"]), set()).add(str(m["dataset"]))
    links: dict[str, list[Row]] = {}
    for link in code_links:
        links.setdefault(str(link["paper_id"]), []).append(link)
    paper_rows: list[list[Any]] = []
    paper_index: dict[str, int] = {}

    def paper(pid: str, info: Row | None) -> int:
        i = paper_index.get(pid)
        if i is None:
            info = info or {}
            own = links.get(pid, [])
            i = paper_index[pid] = len(paper_rows)
            paper_rows.append([
                pid, info.get("title") or pid, info.get("arxiv_id"), pick_link(own),
                int(any(link["kind"] == "code" for link in own)), _iso(info.get("published")),
                sorted(named.get(pid, ())),
            ])
        return i

    by_id = {str(p["paper_id"]): p for p in papers}
    sentences = _Strings()
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in leaderboards:
        groups.setdefault(_board_key(row), []).append(row)
    boards = []
    for key in sorted(groups, key=_sort_key):
        rows = groups[key]  # in rank order, as the table holds them
        drawn = []
        for r in rows[:MAX_ROWS_PER_BOARD]:
            evidence, value = str(r["evidence"]), float(r["value"])
            span = value_span(evidence, value) or (0, 0)
            pid = str(r["paper_id"])
            drawn.append([
                int(r["rank"]), paper(pid, by_id.get(pid)), value,
                value_text(evidence, value, r["unit"]), r.get("model"),
                1 if r.get("source") == "curated" else 0,
                _iso(r.get("published")), sentences.add(evidence), span[0], span[1],
            ])
        metric = str(key[2])
        boards.append({"k": list(key), "d": direction_of(metric, directions),
                       "n": len(rows), "r": drawn})
    claim_rows = []
    for c in claims:
        evidence, value = str(c["evidence"]), float(c["value"])
        span = value_span(evidence, value) or (0, 0)
        pid = str(c["paper_id"])
        claim_rows.append([
            paper(pid, by_id.get(pid)), c["metric"], value_text(evidence, value, c["unit"]),
            c["kind"], c["dataset"], c["resolution"], c["role"], c["steps"], c["setting"],
            c.get("model"), c.get("task"), sentences.add(evidence), span[0], span[1],
        ])
    for pid in sorted(named):
        paper(pid, by_id.get(pid))  # papers that name a dataset and claim nothing about it
    return {
        "version": version, "counts": dict(counts or {}), "papers": paper_rows,
        "sentences": sentences.items, "boards": boards, "claims": claim_rows,
        "claims_note": claims_note, "max_rows": MAX_ROWS_PER_BOARD,
    }


def _script_json(data: Mapping[str, Any]) -> str:
    """JSON that is safe inside `<script>`: no `</` can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_report(
    leaderboards: Sequence[Row],
    papers: Sequence[Row],
    code_links: Sequence[Row],
    directions: Mapping[str, str],
    *,
    version: str,
    counts: Mapping[str, int] | None = None,
    claims: Sequence[Row] = (),
    claims_note: str = "",
    mentions: Sequence[Row] = (),
) -> str:
    """The whole page as one string: inline CSS, JS and data, no external resource."""
    data = report_data(leaderboards, papers, code_links, claims, directions, version=version,
                       counts=counts, claims_note=claims_note, mentions=mentions)
    e = html.escape
    meta = ", ".join(f"{v:,} {k}" for k, v in (counts or {}).items())
    css = (HERE / "report.css").read_text(encoding="utf-8")
    js = (HERE / "report.js").read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>paperclaims {e(version)}: leaderboards</title>
<link rel="icon" href="data:,">
<style>{css}</style>
</head>
<body>
<header>
<h1>paperclaims leaderboards</h1>
<p class="meta">Release <code>{e(version)}</code>{": " + e(meta) if meta else ""}.
Boards rank each paper's own absolute results from abstracts and curated leaderboard rows;
click a title for all of a paper's claims. Trace a claim to its abstract with
<code>python -m pipeline explain PAPER_ID --release DIR</code>.</p>
</header>
<div id="layout">
<nav id="index" aria-label="Tasks, datasets and metrics"></nav>
<main>
<form id="bar" autocomplete="off" onsubmit="return false">
<input id="search" type="search" placeholder="Words: dataset, metric, model, title, evidence…"
 aria-label="Search">
<select id="f-task" aria-label="Task"></select>
<select id="f-dataset" aria-label="Dataset"></select>
<select id="f-metric" aria-label="Metric"></select>
<select id="f-setting" aria-label="Setting"></select>
<label><input id="f-code" type="checkbox"> has code</label>
<label>from <input id="f-from" type="date"></label>
<label>to <input id="f-to" type="date"></label>
<button id="reset" type="button">Reset</button>
<p id="count" aria-live="polite"></p>
</form>
<div id="found" hidden></div>
<div id="boards"></div>
<button id="more" type="button" hidden>Show more boards</button>
<section id="paper" hidden></section>
</main>
</div>
<script type="application/json" id="data">{_script_json(data)}</script>
<script>{js}</script>
</body>
</html>
"""


def _filtered_rows(path: Path, columns: list[str], ids: pa.Array | None,
                   limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of a written table, only those of papers `ids` (all when None), at most `limit`."""
    out: list[dict[str, Any]] = []
    if not path.exists():
        return out
    for batch in iter_batches(path, 65_536, columns=columns):
        table = pa.Table.from_batches([batch])
        if ids is not None:
            table = table.filter(pc.is_in(table["paper_id"], value_set=ids))
        out.extend(table.to_pylist())
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


def _paper_claims(folder: Path, on_boards: pa.Array, results: int, mentions: int
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """The claims and dataset mentions the paper views hold: all of them when there are at
    most `CLAIM_BUDGET` of each, else those of the papers on a board (up to the budget)."""
    columns = ["paper_id", "metric", "value", "unit", "kind", "dataset", "resolution", "role",
               "steps", "setting", "model", "task", "evidence"]
    claims_path, mentions_path = folder / "results.parquet", folder / "dataset_mentions.parquet"
    if results <= CLAIM_BUDGET and mentions <= CLAIM_BUDGET:
        return (_filtered_rows(claims_path, columns, None),
                _filtered_rows(mentions_path, ["paper_id", "dataset"], None), "")
    claims = _filtered_rows(claims_path, columns, on_boards, CLAIM_BUDGET)
    named = _filtered_rows(mentions_path, ["paper_id", "dataset"], on_boards, CLAIM_BUDGET)
    return claims, named, (
        f"This release has {results:,} claims and {mentions:,} dataset mentions; the paper "
        f"views hold those of the papers on a board ({len(claims):,} and {len(named):,}). "
        "Every one is in results.parquet and dataset_mentions.parquet.")


def write_report(release: Release, folder: Path) -> Path:
    """Write `report.html` of a release into `folder` (its tables are already written there:
    the papers, links and claims the page names are read back batch by batch)."""
    from pipeline.publish.leaderboards import metric_directions

    written = release.manifest.get("tables", {})

    def rows(name: str) -> int:
        if name in written:
            return int(written[name]["rows"])
        return release.tables[name].num_rows if name in release.tables else 0

    boards = release.tables["leaderboards"]
    on_boards = pc.unique(boards.column("paper_id")).cast(pa.string())
    claims, mentions, note = _paper_claims(folder, on_boards, rows("results"),
                                           rows("dataset_mentions"))
    named = pa.array(sorted({str(c["paper_id"]) for c in [*claims, *mentions]}
                            | set(on_boards.to_pylist())), pa.string())
    papers = _filtered_rows(folder / "papers.parquet",
                            ["paper_id", "title", "arxiv_id", "published"], named)
    links = _filtered_rows(folder / "code_links.parquet", ["paper_id", "url", "kind"], named)
    counts = {"papers": rows("papers"), "claims": rows("results"),
              "leaderboard rows": rows("leaderboards")}
    page = render_report(boards.to_pylist(), papers, links, metric_directions(),
                         version=str(release.manifest.get("version", "")), counts=counts,
                         claims=claims, claims_note=note, mentions=mentions)
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def embedded_data(page: str) -> dict[str, Any]:
    """The data a page embeds (for tests and tools that check a report against its tables)."""
    start = page.index('<script type="application/json" id="data">')
    start = page.index(">", start) + 1
    end = page.index("</script>", start)
    data: dict[str, Any] = json.loads(page[start:end])
    return data
