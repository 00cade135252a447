"""`report.html`: one self-contained page of leaderboards with a search box.

One leaderboard per (dataset, metric, resolution), built from the `leaderboards` table
(proposed, absolute claims), with each paper's title and code link and the evidence
sentence with the number highlighted. Everything is inline (CSS, JS, no fonts, no CDN), so
the page works offline from the release folder; links to arXiv and code are the only URLs.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.tools.explain import value_span

if TYPE_CHECKING:
    from pipeline.publish.release import Release

Row = Mapping[str, Any]

MAX_ROWS_PER_BOARD = 200
"""Rows drawn per board; the rest are counted in a note (all are in `leaderboards.parquet`).
At all-of-arXiv scale a board holds thousands of rows: a page of every one of them would be
tens of megabytes, which a browser renders slowly and nobody reads."""

CSS = """
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --mark: #ffe08a; --head: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1200px; padding: 0 16px 48px; }
header { padding: 12px 0 0; }
#bar { position: sticky; top: 0; background: #fff; padding: 4px 0 8px;
       border-bottom: 1px solid var(--line); z-index: 1; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 6px; }
h2 small { font-weight: normal; color: var(--muted); }
p.meta, p.hint, p.more { margin: 2px 0; color: var(--muted); }
#search { width: 100%; font: inherit; padding: 6px 10px; margin-top: 8px;
          border: 1px solid var(--line); border-radius: 6px; }
#count { margin: 4px 0 0; color: var(--muted); }
nav { margin: 8px 0 8px; columns: 3 220px; font-size: 13px; }
nav a { display: block; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left;
         vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num, td.rank { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.paper code { color: var(--muted); font-size: 12px; }
td.evidence { max-width: 480px; }
mark { background: var(--mark); padding: 0 1px; }
a { color: #0969da; }
[hidden] { display: none !important; }
"""

JS = """
(function () {
  "use strict";
  var input = document.getElementById("search");
  var count = document.getElementById("count");
  var boards = Array.prototype.slice.call(document.querySelectorAll("section.board"));
  var rows = [];
  boards.forEach(function (board) {
    var key = board.getAttribute("data-key") || "";
    board.querySelectorAll("tr.row").forEach(function (row) {
      rows.push({ row: row, board: board, text: (key + " " + row.textContent).toLowerCase() });
    });
  });
  function apply() {
    var terms = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    var visible = new Set();
    rows.forEach(function (r) {
      var ok = terms.every(function (t) { return r.text.indexOf(t) !== -1; });
      r.row.hidden = !ok;
      if (ok) { shown += 1; visible.add(r.board); }
    });
    boards.forEach(function (board) {
      board.hidden = !visible.has(board);
      var link = document.querySelector('nav a[href="#' + board.id + '"]');
      if (link) { link.hidden = board.hidden; }
    });
    count.textContent = shown + " of " + rows.length + " rows";
  }
  input.addEventListener("input", apply);
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  apply();
})();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _slug(*parts: Any) -> str:
    text = "-".join("any" if p is None else str(p) for p in parts).lower()
    return "board-" + "".join(c if c.isalnum() else "-" for c in text).strip("-")


def evidence_html(evidence: str, value: float) -> str:
    """The evidence, escaped, with the stated number in `<mark>`."""
    span = value_span(evidence, value)
    if span is None:
        return _e(evidence)
    s, e = span
    return f"{_e(evidence[:s])}<mark>{_e(evidence[s:e])}</mark>{_e(evidence[e:])}"


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


def _link_label(url: str) -> str:
    short = url.removeprefix("https://").removeprefix("http://")
    return short if len(short) <= 48 else short[:47] + "…"


def group_boards(
    leaderboards: Sequence[Row], directions: Mapping[str, str]
) -> list[tuple[tuple[str, str, int | None], list[tuple[int, Row]]]]:
    """Rows per (dataset, metric, resolution), best value first, with their rank there.

    The `leaderboards` table ranks within (setting, steps) too; a page per resolution
    shows those side by side, so rows are re-ranked here and keep their setting and steps.
    """
    groups: dict[tuple[str, str, int | None], list[Row]] = defaultdict(list)
    for row in leaderboards:
        groups[(str(row["dataset"]), str(row["metric"]), row["resolution"])].append(row)
    out = []
    for key in sorted(groups, key=lambda k: (k[0].casefold(), k[1], k[2] is not None, k[2] or 0)):
        lower = directions.get(key[1], "lower") == "lower"
        rows = sorted(
            groups[key],
            key=lambda r: (
                r["value"] if lower else -r["value"],
                r["setting"] or "",
                r["steps"] if r["steps"] is not None else -1,
                str(r["paper_id"]),
            ),
        )
        ranked: list[tuple[int, Row]] = []
        for i, row in enumerate(rows):
            rank = ranked[-1][0] if ranked and ranked[-1][1]["value"] == row["value"] else i + 1
            ranked.append((rank, row))
        out.append((key, ranked))
    return out


def _board_html(
    key: tuple[str, str, int | None],
    ranked: list[tuple[int, Row]],
    papers: Mapping[str, Row],
    links: Mapping[str, Sequence[Row]],
    directions: Mapping[str, str],
) -> str:
    dataset, metric, resolution = key
    res_text = f"{resolution}px" if resolution is not None else "any resolution"
    direction = directions.get(metric)
    better = f"{direction} is better · " if direction else ""
    search_key = f"{dataset} {metric} {res_text}"
    head = (
        f'<section class="board" id="{_slug(dataset, metric, resolution)}" '
        f'data-key="{_e(search_key)}" data-dataset="{_e(dataset)}" data-metric="{_e(metric)}" '
        f'data-resolution="{_e(resolution)}">\n'
        f"<h2>{_e(dataset)} · {_e(metric)} · {_e(res_text)} "
        f"<small>{_e(better)}{len(ranked)} row{'s' if len(ranked) != 1 else ''}</small></h2>\n"
        "<table>\n<thead><tr><th>#</th><th>value</th><th>role</th><th>setting</th>"
        "<th>steps</th><th>paper</th><th>code</th><th>evidence</th></tr></thead>\n<tbody>\n"
    )
    body = []
    for rank, row in ranked[:MAX_ROWS_PER_BOARD]:
        pid = str(row["paper_id"])
        paper = papers.get(pid, {})
        title = _e(paper.get("title") or pid)
        if paper.get("arxiv_id"):
            title = f'<a href="https://arxiv.org/abs/{_e(paper["arxiv_id"])}">{title}</a>'
        url = pick_link(links.get(pid, ()))
        code = f'<a href="{_e(url)}">{_e(_link_label(url))}</a>' if url else ""
        evidence, value = str(row["evidence"]), float(row["value"])
        body.append(
            f'<tr class="row" data-paper-id="{_e(pid)}">'
            f'<td class="rank">{rank}</td>'
            f'<td class="num value">{_e(value_text(evidence, value, row["unit"]))}</td>'
            "<td>proposed</td>"
            f"<td>{_e(row['setting'] or '')}</td>"
            f'<td class="num">{_e(row["steps"] if row["steps"] is not None else "")}</td>'
            f'<td class="paper">{title}<br><code>{_e(pid)}</code></td>'
            f"<td>{code}</td>"
            f'<td class="evidence">{evidence_html(evidence, value)}</td></tr>'
        )
    rest = len(ranked) - MAX_ROWS_PER_BOARD
    note = (
        f'<p class="more">{rest} more row{"s" if rest != 1 else ""} (ranks after '
        f"{MAX_ROWS_PER_BOARD}) are in <code>leaderboards.parquet</code>.</p>\n"
        if rest > 0
        else ""
    )
    return head + "\n".join(body) + "\n</tbody>\n</table>\n" + note + "</section>"


def render_report(
    leaderboards: Sequence[Row],
    papers: Sequence[Row],
    code_links: Sequence[Row],
    directions: Mapping[str, str],
    *,
    version: str,
    counts: Mapping[str, int] | None = None,
) -> str:
    """The whole page as one string: inline CSS and JS, no external resource."""
    by_id = {str(p["paper_id"]): p for p in papers}
    links: dict[str, list[Row]] = defaultdict(list)
    for link in code_links:
        links[str(link["paper_id"])].append(link)
    boards = group_boards(leaderboards, directions)
    n_rows = sum(min(len(r), MAX_ROWS_PER_BOARD) for _, r in boards)
    nav = "\n".join(
        f'<a href="#{_slug(*key)}">{_e(key[0])} · {_e(key[1])} · '
        f"{_e(f'{key[2]}px' if key[2] is not None else 'any resolution')} ({len(r)})</a>"
        for key, r in boards
    )
    sections = "\n".join(_board_html(k, r, by_id, links, directions) for k, r in boards)
    if not boards:
        sections = '<p id="empty">No leaderboard rows in this release.</p>'
    meta = ", ".join(f"{v} {k}" for k, v in (counts or {}).items())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>paperclaims {_e(version)}: leaderboards</title>
<link rel="icon" href="data:,">
<style>{CSS}</style>
</head>
<body>
<header>
<h1>paperclaims leaderboards</h1>
<p class="meta">Release <code>{_e(version)}</code>{": " + _e(meta) if meta else ""}.
Each row is a paper's own (proposed) absolute result; the number is marked in its evidence.</p>
<p class="hint">Trace a row to its abstract: <code>python -m pipeline explain PAPER_ID
--release DIR</code>.</p>
<nav>
{nav}
</nav>
</header>
<div id="bar">
<label for="search">Search</label>
<input id="search" type="search" autocomplete="off"
 placeholder="Filter rows: dataset, metric, paper title, words of the evidence…">
<p id="count" aria-live="polite">{n_rows} of {n_rows} rows</p>
</div>
<main>
{sections}
</main>
<script>{JS}</script>
</body>
</html>
"""


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def write_report(release: Release, folder: Path) -> Path:
    """Write `report.html` of a release into `folder`."""
    from pipeline.publish.leaderboards import metric_directions

    tables = release.tables
    papers = tables["papers"].select(
        [c for c in ("paper_id", "title", "arxiv_id") if c in tables["papers"].column_names]
    )
    # The card may hold only some rows of a table (papers: those on a board); the manifest
    # has the whole counts.
    written = release.manifest.get("tables", {})

    def rows(name: str) -> int:
        return int(written[name]["rows"]) if name in written else tables[name].num_rows

    counts = {
        "papers": rows("papers"),
        "claims": rows("results"),
        "leaderboard rows": rows("leaderboards"),
    }
    # Only the papers (and their links) that have a leaderboard row: a million Python dicts
    # of every paper would dwarf the page itself.
    on_boards = pc.unique(tables["leaderboards"].column("paper_id"))
    page = render_report(
        _rows(tables["leaderboards"]),
        _rows(papers.filter(pc.is_in(papers["paper_id"], value_set=on_boards))),
        _rows(
            tables["code_links"].filter(
                pc.is_in(tables["code_links"]["paper_id"], value_set=on_boards)
            )
        ),
        metric_directions(),
        version=str(release.manifest.get("version", "")),
        counts=counts,
    )
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
