"""`python -m pipeline diff OLD NEW`: papers and claims added, removed and changed.

Papers are keyed by `paper_id`. Claims are keyed by what they are a claim *about*
(`CLAIM_KEY`) and compared on what they *say* (`CLAIM_VALUE`). A paper may state several
claims with one key; those are paired up after the identical ones are set aside, in a
fixed order, so the same two releases always give the same diff.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.escape import md_code, md_text
from pipeline.schemas import RELEASE_TABLES
from pipeline.tools.explain import describe_claim

Row = Mapping[str, Any]

CLAIM_KEY = ("paper_id", "metric", "dataset", "resolution", "role", "steps", "setting", "model")
CLAIM_VALUE = ("value", "unit", "evidence")
PAPER_FIELDS = ("title", "authors", "abstract", "arxiv_id")


@dataclass(frozen=True, slots=True)
class PaperChange:
    paper_id: str
    title: str
    fields: tuple[str, ...]
    """Names of the `PAPER_FIELDS` that differ."""
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ClaimChange:
    old: dict[str, Any]
    new: dict[str, Any]
    fields: tuple[str, ...]
    """Names of the `CLAIM_VALUE` fields that differ."""


@dataclass(frozen=True, slots=True)
class ReleaseDiff:
    old_version: str | None
    new_version: str | None
    table_rows: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    """Row counts before and after, per table (None: table absent)."""
    papers_added: tuple[dict[str, Any], ...] = ()
    papers_removed: tuple[dict[str, Any], ...] = ()
    papers_changed: tuple[PaperChange, ...] = ()
    claims_added: tuple[dict[str, Any], ...] = ()
    claims_removed: tuple[dict[str, Any], ...] = ()
    claims_changed: tuple[ClaimChange, ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.papers_added
            or self.papers_removed
            or self.papers_changed
            or self.claims_added
            or self.claims_removed
            or self.claims_changed
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "table_rows": {k: {"old": o, "new": n} for k, (o, n) in self.table_rows.items()},
            "papers": {
                "added": list(self.papers_added),
                "removed": list(self.papers_removed),
                "changed": [
                    {
                        "paper_id": c.paper_id,
                        "title": c.title,
                        "fields": list(c.fields),
                        "old": c.old,
                        "new": c.new,
                    }
                    for c in self.papers_changed
                ],  # fmt: skip
            },
            "claims": {
                "added": list(self.claims_added),
                "removed": list(self.claims_removed),
                "changed": [
                    {"fields": list(c.fields), "old": c.old, "new": c.new}
                    for c in self.claims_changed
                ],
            },
        }


def _sortable(values: Iterable[Any]) -> tuple[tuple[bool, Any], ...]:
    """A sort key for tuples holding None next to str/int/float values."""
    return tuple((v is not None, v if v is not None else "") for v in values)


def _norm(value: Any) -> Any:
    return list(value) if isinstance(value, tuple | list) else value


def claim_key(row: Row) -> tuple[Any, ...]:
    return tuple(row.get(k) for k in CLAIM_KEY)


def claim_value(row: Row) -> tuple[Any, ...]:
    return tuple(row.get(k) for k in CLAIM_VALUE)


def _claim_dict(row: Row) -> dict[str, Any]:
    return {k: row.get(k) for k in (*CLAIM_KEY, *CLAIM_VALUE)}


def diff_papers(
    old: Sequence[Row], new: Sequence[Row]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[PaperChange]]:
    """Papers added, removed and changed (on `PAPER_FIELDS`), each sorted by id."""
    before = {str(p["paper_id"]): p for p in old}
    after = {str(p["paper_id"]): p for p in new}
    added = [{"paper_id": k, "title": after[k]["title"]} for k in sorted(after.keys() - before)]
    removed = [{"paper_id": k, "title": before[k]["title"]} for k in sorted(before.keys() - after)]
    changed = []
    for pid in sorted(before.keys() & after.keys()):
        o, n = before[pid], after[pid]
        fields = tuple(f for f in PAPER_FIELDS if _norm(o.get(f)) != _norm(n.get(f)))
        if fields:
            changed.append(
                PaperChange(
                    pid,
                    str(n["title"]),
                    fields,
                    {f: _norm(o.get(f)) for f in fields},
                    {f: _norm(n.get(f)) for f in fields},
                )
            )
    return added, removed, changed


def _beyond(rows: list[Row], common: Counter[tuple[Any, ...]]) -> list[Row]:
    """The rows left once each value's first `common[value]` occurrences are taken out."""
    seen: Counter[tuple[Any, ...]] = Counter()
    left = []
    for r in rows:
        v = claim_value(r)
        seen[v] += 1
        if seen[v] > common[v]:
            left.append(r)
    return left


def diff_claims(
    old: Sequence[Row], new: Sequence[Row]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[ClaimChange]]:
    """Claims added, removed and changed, matched on `CLAIM_KEY`, compared on `CLAIM_VALUE`."""
    before: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    after: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in old:
        before[claim_key(row)].append(row)
    for row in new:
        after[claim_key(row)].append(row)
    added: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    changed: list[ClaimChange] = []
    for key in sorted(before.keys() | after.keys(), key=_sortable):
        o = sorted(before.get(key, []), key=lambda r: _sortable(claim_value(r)))
        n = sorted(after.get(key, []), key=lambda r: _sortable(claim_value(r)))
        # Identical claims on both sides are unchanged; pair up what is left, in order.
        common = Counter(map(claim_value, o)) & Counter(map(claim_value, n))
        left_o, left_n = _beyond(o, common), _beyond(n, common)
        for a, b in zip(left_o, left_n, strict=False):
            fields = tuple(f for f in CLAIM_VALUE if a.get(f) != b.get(f))
            changed.append(ClaimChange(_claim_dict(a), _claim_dict(b), fields))
        removed += [_claim_dict(r) for r in left_o[len(left_n) :]]
        added += [_claim_dict(r) for r in left_n[len(left_o) :]]
    return added, removed, changed


def diff_releases(
    old: Mapping[str, Sequence[Row]],
    new: Mapping[str, Sequence[Row]],
    *,
    old_version: str | None = None,
    new_version: str | None = None,
    table_rows: dict[str, tuple[int | None, int | None]] | None = None,
) -> ReleaseDiff:
    """Compare two releases given as {"papers": rows, "results": rows}."""
    pa_, pr_, pc_ = diff_papers(old.get("papers", []), new.get("papers", []))
    ca, cr, cc = diff_claims(old.get("results", []), new.get("results", []))
    return ReleaseDiff(
        old_version,
        new_version,
        dict(table_rows or {}),
        tuple(pa_),
        tuple(pr_),
        tuple(pc_),
        tuple(ca),
        tuple(cr),
        tuple(cc),
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else str(value)


def _section(title: str, lines: list[str], limit: int | None) -> list[str]:
    if not lines:
        return []
    shown = lines if limit is None else lines[:limit]
    out = [f"## {title} ({len(lines)})", "", *shown]
    if len(shown) < len(lines):
        out.append(f"- … and {len(lines) - len(shown)} more (`python -m pipeline diff` lists all)")
    return [*out, ""]


def _paper_change_text(c: PaperChange) -> str:
    parts = []
    for f in c.fields:
        o, n = c.old[f], c.new[f]
        if f == "authors" and isinstance(o, list) and isinstance(n, list):
            plus = [a for a in n if a not in o]
            minus = [a for a in o if a not in n]
            detail = ", ".join([*(f"+{a}" for a in plus), *(f"-{a}" for a in minus)])
            parts.append(f"authors ({detail or 'reordered'})")
        elif f == "abstract":
            parts.append("abstract changed")
        else:
            parts.append(f"{f} {_fmt(o)!r} → {_fmt(n)!r}")
    return f"- {md_code(c.paper_id)} {md_text(c.title)}: {md_text('; '.join(parts))}"


def _claim_text(row: Row) -> str:
    claim, evidence = md_text(describe_claim(row)), md_text(str(row["evidence"]))
    return f'- {md_code(str(row["paper_id"]))} {claim}: "{evidence}"'


def _claim_change_text(c: ClaimChange) -> str:
    parts = []
    for f in c.fields:
        if f == "evidence":
            parts.append(f'evidence "{c.old[f]}" → "{c.new[f]}"')
        else:
            parts.append(f"{f} {_fmt(c.old[f])} → {_fmt(c.new[f])}")
    claim = md_text(describe_claim(c.new, with_value=False))
    return f"- {md_code(c.new['paper_id'])} {claim}: {md_text('; '.join(parts))}"


def render_diff(diff: ReleaseDiff, *, limit: int | None = None) -> str:
    """The diff as Markdown text (also the release's `CHANGELOG.md`).

    limit: at most this many lines per section.
    """
    old, new = diff.old_version or "(unknown)", diff.new_version or "(unknown)"
    lines = [f"# Changes from {old} to {new}", ""]
    if diff.table_rows:
        lines += ["| table | rows before | rows after |", "|---|---|---|"]
        for name, (o, n) in diff.table_rows.items():
            lines.append(f"| {md_code(name)} | {_fmt(o)} | {_fmt(n)} |")
        lines.append("")
    lines.append(
        f"Papers: {len(diff.papers_added)} added, {len(diff.papers_removed)} removed, "
        f"{len(diff.papers_changed)} changed. Claims: {len(diff.claims_added)} added, "
        f"{len(diff.claims_removed)} removed, {len(diff.claims_changed)} changed."
    )
    lines.append("")
    if diff.is_empty():
        lines += ["No paper or claim changed.", ""]
    def paper_line(p: Mapping[str, Any]) -> str:
        return f"- {md_code(str(p['paper_id']))} {md_text(str(p['title']))}"

    lines += _section("Papers added", [paper_line(p) for p in diff.papers_added], limit)
    lines += _section("Papers removed", [paper_line(p) for p in diff.papers_removed], limit)
    lines += _section("Papers changed", [_paper_change_text(c) for c in diff.papers_changed], limit)
    lines += _section("Claims added", [_claim_text(c) for c in diff.claims_added], limit)
    lines += _section("Claims removed", [_claim_text(c) for c in diff.claims_removed], limit)
    lines += _section("Claims changed", [_claim_change_text(c) for c in diff.claims_changed], limit)
    return "\n".join(lines).rstrip("\n") + "\n"


PAPER_COLUMNS = ("paper_id", *PAPER_FIELDS)
RESULT_COLUMNS = (*CLAIM_KEY, *CLAIM_VALUE, "kind", "start", "end")


def _select(table: pa.Table, columns: Sequence[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.select(
        [c for c in columns if c in table.column_names]
    ).to_pylist()
    return rows


def _read(folder: Path, table: str, columns: Sequence[str]) -> list[dict[str, Any]]:
    path = folder / f"{table}.parquet"
    if not path.exists():
        return []
    names = pq.read_schema(path).names
    return _select(pq.read_table(path, columns=[c for c in columns if c in names]), columns)


def read_release(folder: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """The papers and results rows a diff compares, and the release manifest."""
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text("utf-8"))
    rows = {
        "papers": _read(folder, "papers", PAPER_COLUMNS),
        "results": _read(folder, "results", RESULT_COLUMNS),
    }
    return rows, manifest


def _table_rows(
    old_m: Mapping[str, Any], new_m: Mapping[str, Any]
) -> dict[str, tuple[int | None, int | None]]:
    old_t, new_t = old_m.get("tables", {}), new_m.get("tables", {})
    present = {*old_t, *new_t}
    names = [n for n in RELEASE_TABLES if n in present] + sorted(present - set(RELEASE_TABLES))
    return {
        n: (
            old_t[n]["rows"] if n in old_t else None,
            new_t[n]["rows"] if n in new_t else None,
        )
        for n in names
    }


def diff_release_dirs(old_dir: str | Path, new_dir: str | Path) -> ReleaseDiff:
    """Read two release folders (or processed folders with `latest`) and compare them."""
    from pipeline.tools.load import resolve_release

    old_rows, old_m = read_release(resolve_release(old_dir))
    new_rows, new_m = read_release(resolve_release(new_dir))
    return diff_releases(
        old_rows,
        new_rows,
        old_version=old_m.get("version"),
        new_version=new_m.get("version"),
        table_rows=_table_rows(old_m, new_m),
    )


def diff_against(
    old_dir: str | Path, tables: Mapping[str, pa.Table], manifest: Mapping[str, Any]
) -> ReleaseDiff:
    """Compare a release folder with a release still in memory (publish's changelog)."""
    from pipeline.tools.load import resolve_release

    old_rows, old_m = read_release(resolve_release(old_dir))
    new_rows = {
        "papers": _select(tables["papers"], PAPER_COLUMNS),
        "results": _select(tables["results"], RESULT_COLUMNS),
    }
    return diff_releases(
        old_rows,
        new_rows,
        old_version=old_m.get("version"),
        new_version=manifest.get("version"),
        table_rows=_table_rows(old_m, manifest),
    )
