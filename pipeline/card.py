"""The dataset card (`README.md` of a release), generated from schemas + manifest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.schemas import RELEASE_TABLES, table_spec

if TYPE_CHECKING:
    from pipeline.publish import Release

EVAL_FILE = Path(__file__).resolve().parent.parent / "eval" / "seeds.json"

REQUIRED_SECTIONS = (
    "## What this is",
    "## Where it came from",
    "## Tables",
    "## Accounting",
    "## Extraction accuracy",
    "## Known limitations",
)


def front_matter() -> str:
    lines = [
        "---",
        "license: cc-by-4.0",
        "pretty_name: paperclaims benchmark results",
        "tags:",
        "- benchmark-results",
        "- meta-science",
        "- papers",
        "- information-extraction",
        "configs:",
    ]
    for name in RELEASE_TABLES:
        lines += [f"- config_name: {name}", f"  data_files: {name}.parquet"]
    lines.append("---")
    return "\n".join(lines)


def schema_section(name: str) -> str:
    spec = table_spec(name)
    rows = [
        f"### `{name}`",
        "",
        spec["description"],
        "",
        "| column | type | nullable | meaning |",
        "|---|---|---|---|",
    ]
    for f in spec["fields"]:
        desc = f["description"].replace("|", "\\|")
        rows.append(
            f"| `{f['name']}` | {f['type']} | {'yes' if f['nullable'] else 'no'} | {desc} |"
        )
    return "\n".join(rows)


def accounting_section(manifest: dict[str, Any]) -> str:
    rows = [
        "| input file | format | read | published | merged | quarantined |",
        "|---|---|---|---|---|---|",
    ]
    for i in manifest["inputs"]:
        rows.append(
            f"| `{i['name']}` | {i['format'] or 'skipped'} | {i['records_read']} | "
            f"{i['papers_published']} | {i['duplicates_merged']} | {i['records_quarantined']} |"
        )
    t = manifest["totals"]
    rows.append(
        f"| **total** | | {t['records_read']} | {t['papers_published']} | "
        f"{t['duplicates_merged']} | {t['records_quarantined']} |"
    )
    return "\n".join(rows)


def accuracy_section() -> str:
    import json

    if not EVAL_FILE.exists():
        return "Not measured yet: run `make eval`."
    data = json.loads(EVAL_FILE.read_text(encoding="utf-8"))
    rows = [
        f"Measured by `{data.get('command', 'make eval')}` against the hand-made gold "
        f"annotations of the two bundled seed pages ({data.get('papers', '?')} papers), "
        f"pipeline {data.get('pipeline_version', '?')}:",
        "",
        "| field | precision | recall | F1 |",
        "|---|---|---|---|",
    ]
    for field, s in data["fields"].items():
        rows.append(f"| {field} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    return "\n".join(rows)


def render_card(release: Release) -> str:
    m = release.manifest
    counts = ", ".join(f"{k}: {v['rows']}" for k, v in m["tables"].items())
    parts = [
        front_matter(),
        "",
        f"# paperclaims release {m['version']}",
        "",
        "## What this is",
        "",
        "Benchmark results claimed in machine-learning paper abstracts: which papers, by whom, "
        "with which code, evaluated on which datasets, at which image resolution, with which "
        "scores. Every claim carries the verbatim evidence and its offsets into "
        "`papers.abstract`.",
        "",
        f"Rows: {counts}.",
        "",
        "## Where it came from",
        "",
        "Built by the paperclaims pipeline (ingest → normalise → extract → validate → publish) "
        f"version {m['pipeline_version']} from {len(m['inputs'])} input file(s); their sha256 "
        "and detected formats are in `manifest.json`. Gazetteer versions (sha256) are there too.",
        "",
        "## Loading",
        "",
        "```python",
        "import pandas as pd",
        'results = pd.read_parquet("results.parquet")',
        "```",
        "",
        "## Tables",
        "",
        "\n\n".join(schema_section(n) for n in RELEASE_TABLES),
        "",
        "## Accounting",
        "",
        "Every record read is published, merged as a duplicate, or quarantined with a reason:",
        "",
        accounting_section(m),
        "",
        f"Claims quarantined by validation: {m['totals']['claims_quarantined']}.",
        "",
        "## Extraction accuracy",
        "",
        accuracy_section(),
        "",
        "## Known limitations",
        "",
        "- Claims come from titles and abstracts only, not from full texts or tables.",
        "- Extraction is rule-based; numbers stated in unusual sentence shapes may be missed.",
        "- Papers are merged on arXiv id or on the case- and punctuation-folded title.",
        "",
    ]
    return "\n".join(parts)


def write_card(release: Release, folder: Path, previous: Path | None = None) -> None:
    (folder / "README.md").write_text(render_card(release), encoding="utf-8")
