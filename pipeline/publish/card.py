"""The dataset card (`README.md` of a release), generated from schemas + manifest.

`write_card` is publish's hook for everything a release holds besides its tables and
manifest: the card, its plots (`plots/*.png`), the HTML report (`report.html`) and, when a
previous release exists, `CHANGELOG.md`. None of these files is hashed into the version.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from pipeline.config import ROOT
from pipeline.escape import md_code
from pipeline.schemas import RELEASE_TABLES, arrow_schema, table_spec

if TYPE_CHECKING:
    from pipeline.publish.release import Release
    from pipeline.tools.diff import ReleaseDiff

log = logging.getLogger(__name__)

EVAL_FILE = ROOT / "eval" / "seeds.json"

REQUIRED_SECTIONS = (
    "## What this is",
    "## Where it came from",
    "## Loading",
    "## Tables",
    "## Accounting",
    "## Extraction accuracy",
    "## Plots",
    "## Known limitations",
)


HUB_LICENSES = {
    "creativecommons.org/licenses/by/4.0": "cc-by-4.0",
    "creativecommons.org/licenses/by-sa/4.0": "cc-by-sa-4.0",
    "creativecommons.org/licenses/by-nc-sa/4.0": "cc-by-nc-sa-4.0",
    "creativecommons.org/licenses/by-nc-nd/4.0": "cc-by-nc-nd-4.0",
    "creativecommons.org/publicdomain/zero/1.0": "cc0-1.0",
}
"""Licence URLs the sources state (arXiv's) -> Hugging Face licence ids."""


def hub_license(licenses: dict[str, int] | None) -> str:
    """The card's `license`: the Hub id of the one licence every published paper states,
    else `other` (mixed, unknown, or arXiv's non-exclusive distribution licence)."""
    if not licenses or len(licenses) != 1:
        return "other"
    (url,) = licenses
    key = url.split("://", 1)[-1].rstrip("/").removeprefix("www.")
    return HUB_LICENSES.get(key, "other")


def license_section(licenses: dict[str, int] | None) -> str:
    if not licenses:
        return "No paper states a licence."
    rows = [
        "The abstracts stay under their authors' licences (`papers.license`, per paper; "
        "`unknown`: the source states none). Published papers per licence:",
        "",
        "| licence | papers |",
        "|---|---|",
    ]
    rows += [f"| {md_code(k)} | {v} |" for k, v in licenses.items()]
    return "\n".join(rows)


def front_matter(rows: dict[str, int] | None = None, license: str = "other") -> str:
    """Hugging Face dataset-card YAML: licence, tags, one config per table and its features.

    rows: table -> row count. An empty table gets its config too, with its features, so
    the Hub and `datasets` know it; `datasets` 5.2 still refuses to load a split with no
    rows ("corresponds to no data", huggingface/datasets#8401), which the card says, and
    its `batch_size` keeps the Parquet builder from failing first on a 0-row row group.
    """
    lines = [
        "---",
        f"license: {license}",
        "pretty_name: paperclaims benchmark results",
        "tags:",
        "- benchmark-results",
        "- meta-science",
        "- papers",
        "- information-extraction",
        "language:",
        "- en",
        "configs:",
    ]
    # One config per table, so `datasets.load_dataset(release_dir, "results")` reads just
    # that Parquet file; `results` is the default.
    for name in RELEASE_TABLES:
        lines += [f"- config_name: {name}", f"  data_files: {name}.parquet"]
        if rows is not None and not rows.get(name):
            lines.append("  batch_size: 10000")
        if name == "results":
            lines.append("  default: true")
    lines += dataset_info_lines(rows)
    lines.append("---")
    return "\n".join(lines)


_HF_DTYPES = {"string": "string", "large_string": "string", "int64": "int64",
              "int32": "int32", "double": "float64", "bool": "bool", "date32[day]": "date32"}


def hf_feature(field: pa.Field) -> str:
    """A column as a Hugging Face `datasets` feature line (`dtype: x` or `list: x`)."""
    if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
        return f"list: {_HF_DTYPES[str(field.type.value_type)]}"
    return f"dtype: {_HF_DTYPES[str(field.type)]}"


def dataset_info_lines(rows: dict[str, int] | None) -> list[str]:
    """`dataset_info` for each table: its features (from the Arrow schema), so the Hub
    viewer shows types, and, when known, its row count."""
    lines = ["dataset_info:"]
    for name in RELEASE_TABLES:
        lines += [f"- config_name: {name}", "  features:"]
        for field in arrow_schema(name):
            lines += [f"  - name: {field.name}", f"    {hf_feature(field)}"]
        if rows is not None:
            lines += ["  splits:", "  - name: train", f"    num_examples: {rows.get(name, 0)}"]
    return lines


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
        "| input file | format | read | published | merged | quarantined | filtered |",
        "|---|---|---|---|---|---|---|",
    ]
    for i in manifest["inputs"]:
        rows.append(
            f"| {md_code(i['name'])} | {i['format'] or 'skipped'} | {i['records_read']} | "
            f"{i['papers_published']} | {i['duplicates_merged']} | {i['records_quarantined']} | "
            f"{i.get('records_filtered', 0)} |"
        )
    t = manifest["totals"]
    rows.append(
        f"| **total** | | {t['records_read']} | {t['papers_published']} | "
        f"{t['duplicates_merged']} | {t['records_quarantined']} | {t.get('records_filtered', 0)} |"
    )
    return "\n".join(rows)


def read_eval(path: Path = EVAL_FILE) -> dict[str, Any] | None:
    """The figures `make eval` wrote (`python -m pipeline eval --write eval/seeds.json`)."""
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def accuracy_section(data: dict[str, Any] | None) -> str:
    if not data or not data.get("fields"):
        return (
            "Not measured for this release: run `python -m pipeline eval --write "
            "eval/seeds.json` (the scoring `make eval` prints), then publish again; the card "
            "reads that file."
        )
    papers = data.get("gold_papers", data.get("papers", "?"))
    rows = [
        f"Measured by `{data.get('command', 'make eval')}` against the hand-made gold "
        f"annotations of the two bundled seed pages ({papers} papers), "
        f"pipeline {data.get('pipeline_version', '?')}. Seen: the rules were written against "
        "these pages, so these figures are a ceiling; the blind sets above say "
        "what to expect on new text. Precision counts what the pipeline "
        "found that the gold has; recall, what the gold has that the pipeline found:",
        "",
        "| field | precision | recall | F1 | found right | found wrong | missed |",
        "|---|---|---|---|---|---|---|",
    ]
    for field, s in data["fields"].items():
        counts = " | ".join(str(s.get(k, "")) for k in ("tp", "fp", "fn"))
        rows.append(
            f"| {field} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {counts} |"
        )
    return "\n".join(rows)


HELDOUT_FILES = {
    "annotated blind ({papers} papers, 14+ fields; never tuned on)":
        EVAL_FILE.with_name("annotated_blind.json"),
    "held-out B ({papers} HF papers; blind, never tuned on)":
        EVAL_FILE.with_name("heldout_b.json"),
    "annotated dev ({papers} papers, 14+ fields; tuned and trained on)":
        EVAL_FILE.with_name("annotated_dev.json"),
    "held-out A ({papers} HF papers; tuned and trained on)":
        EVAL_FILE.with_name("heldout_a.json"),
}
"""Column label (its paper count filled from the figures file) -> figures file."""


def heldout_section(files: dict[str, Path], after_lead: str = "") -> str:
    """F1 per field on hand-annotated abstracts outside the seeds: how well rules generalise."""
    found: dict[str, dict[str, Any]] = {}
    for label, path in files.items():
        data = read_eval(path)
        if data and data.get("fields"):
            found[label.format(papers=data.get("gold_papers", "?"))] = data
    if not found:
        return ""
    fields = list(next(iter(found.values()))["fields"])
    lead = next(iter(found.items()))
    # the annotated abstracts are the dev and blind splits together
    annotated = sum(int(d.get("gold_papers") or 0) for label, d in found.items()
                    if label.startswith("annotated "))
    f = lead[1]["fields"]
    rows = [
        "**On text nobody tuned on** — the "
        f"{lead[0].split(' (')[0]} set ({lead[1].get('gold_papers', '?')} real abstracts "
        "annotated by hand before the extractor read them): "
        + (f"result numbers (the value alone, whatever its metric is called) F1 "
           f"{f['result_numbers']['f1']:.3f}, " if "result_numbers" in f else "")
        + "result values (the value with its metric) F1 "
        f"{f['result_values']['f1']:.3f}, result tuples (metric, value, dataset) F1 "
        f"{f['result_tuples']['f1']:.3f}"
        + (f", full tuples (the tuple with resolution, steps and role) F1 "
           f"{f['result_full']['f1']:.3f}" if "result_full" in f else "")
        + f", datasets F1 {f['datasets']['f1']:.3f}. Expect "
        "figures like these on your own abstracts, not the seed figures further down. "
        "(`result_models`: the value with the system the gold credits it to: the annotated "
        "sets' `model` field; the older sets name only a backbone (`qualifiers.model`) for "
        "few results, so there read its recall.)",
        "",
        *([after_lead, ""] if after_lead else []),
        "Per field, on real abstracts annotated by hand (Hugging Face Daily Papers: "
        f"`tests/fixtures/gold/HELDOUT.md`; {annotated} abstracts of 14 fields and more, annotated "
        "blind in eleven batches, each read once before anything was tuned on it: "
        "`tests/fixtures/annotated/README.md`; measured by `make eval`), F1 per field, blind "
        "sets first:",
        "",
        "| field | " + " | ".join(found) + " |",
        "|---|" + "---|" * len(found),
    ]
    for field in fields:
        cells = [
            f"{d['fields'][field]['f1']:.3f}" if field in d["fields"] else ""
            for d in found.values()
        ]
        rows.append(f"| {field} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


LISTING_CV_FILE = EVAL_FILE.with_name("listing_cv.json")
LISTING_BLIND_FILE = EVAL_FILE.with_name("listing_blind.json")
PWC_CHECK_FILE = EVAL_FILE.with_name("pwc_check.json")
TASKS_CV_FILE = EVAL_FILE.with_name("tasks_cv.json")
PAPER_TASK_CV_FILE = EVAL_FILE.with_name("paper_task_cv.json")
CARD_EVAL_FILES = (EVAL_FILE, *HELDOUT_FILES.values(), LISTING_CV_FILE, LISTING_BLIND_FILE,
                   PWC_CHECK_FILE, TASKS_CV_FILE, PAPER_TASK_CV_FILE)
"""Every figures file the card reads: a change to any of them makes a new card."""


def pwc_section(data: dict[str, Any] | None) -> str:
    """Recall of Papers with Code rows whose score the abstract prints (`eval/pwc_check.json`)."""
    if not data or not data.get("rows"):
        return ""
    return (
        "**Against Papers with Code's own rows** — of the "
        f"{data['rows']} leaderboard rows whose score is printed in the abstract, over "
        f"{data['papers']} papers of the pwc_train dev split (held out: never tuned or trained "
        "on; `data/train/pwc_train/README.md`), the release has the value for "
        f"{data['value_recall']:.1%}, the value with the right metric for "
        f"{data['value_metric_recall']:.1%}, and value, metric and dataset for "
        f"{data['value_metric_dataset_recall']:.1%}"
        + (f"; value, metric and PwC's task for {data['value_metric_task_recall']:.1%}"
           if data.get("value_metric_task_recall") is not None else "")
        + f" (`{data.get('command', 'make eval')}`)."
    )


def tasks_section(data: dict[str, Any] | None, papers: dict[str, Any] | None = None) -> str:
    """How often `results.task` is PwC's task (`eval/tasks_cv.json`), and how often the
    paper-task classifier's is (`eval/paper_task_cv.json`)."""
    if not data or not data.get("rows"):
        return ""
    text = (
        "`results.task` comes from a task taxonomy built from Papers with Code rows "
        f"(`gazetteers/tasks.csv`); by {data['k']}-fold cross-validation over {data['rows']:,} "
        "PwC rows whose dataset and metric the gazetteers know (seen data), it names a task "
        f"for {data['coverage']:.1%} of held-out rows, and PwC's own task for "
        f"{data['accuracy_when_named']:.1%} of those."
    )
    papers = papers or {}
    at = papers.get("by_threshold", {}).get(f"{papers.get('min_probability', 0):.1f}")
    if at:
        text += (
            " Where the taxonomy names none, the task the paper's title and abstract are about"
            " is read by a classifier trained on the same papers (`pipeline/extract/paper_task"
            f".py`), when it gives it a probability of {papers['min_probability']} or more:"
            f" by {papers['k']}-fold cross-validation over {papers['papers']:,} pwc_train papers"
            f" (seen), it names a task for {at['coverage']:.1%} of them, one of the paper's"
            f" own Papers with Code tasks for {at['precision']:.1%} of those."
        )
    return text


def listing_section(data: dict[str, Any] | None, blind: dict[str, Any] | None = None) -> str:
    """The listing-page reader's figures: pages no model trains on, read blind
    (`eval/listing_blind.json`), then cross-validated (`eval/listing_cv.json`)."""
    if not data or "titles" not in data:
        return ""
    text = ""
    if blind and "titles" in blind:
        read_by = (f"that no listing model trains on (`{blind['folder']}`)"
                   if blind.get("standing")
                   else f"read by the listing models of {blind['models_at']}, before any model "
                   "trained on them")
        text = (
            f"Listing pages (ingest), blind: {blind['pages']} annotated real pages of other "
            f"sites ({blind['entries']} entries) {read_by}: titles F1 "
            f"{blind['titles']['f1']:.3f}, authors "
            f"F1 {blind['authors']['f1']:.3f}, abstracts attached to the right entry "
            f"{blind['abstracts_attached']:.3f} (of {blind['abstracts']}). "
        )
    folds = data.get("folds", data["pages"])
    how = ("leave-one-page-out" if folds == data["pages"]
           else f"{folds}-fold by page (every {folds}th page in name order held out together"
           + ("; the entry model's own folds drawn from the other pages only: nested)"
              if data.get("entry_folds") else ")"))
    return text + (
        f"{'Cross-validated' if text else 'Listing pages (ingest)'}, measured by "
        f"`{data.get('command', 'make eval')}`, {how}, over {data['pages']} annotated pages "
        f"({data['entries']} entries; seen: the "
        "reader's rules were tuned on them, and each page is read by models that did not train "
        "on it: `tests/fixtures/pages/README.md`): titles "
        f"F1 {data['titles']['f1']:.3f}, authors F1 {data['authors']['f1']:.3f}, abstracts "
        f"attached to the right entry {data['abstracts_attached']:.3f} (of "
        f"{data['abstracts']})."
    )


def loading_section() -> str:
    return "\n".join(
        [
            "From the folder of this release (`data/processed/latest` after `make run`):",
            "",
            "```python",
            "import pipeline  # the paperclaims repository",
            'tables = pipeline.load("data/processed/latest")  # {table: DataFrame}',
            "",
            "import pandas as pd",
            'results = pd.read_parquet("data/processed/latest/results.parquet")',
            "",
            "import datasets  # Hugging Face; one config per table",
            'ds = datasets.load_dataset("data/processed/latest", "results")',
            "```",
            "",
            "```sql",
            "-- DuckDB: best FID per dataset and resolution (absolute values, papers' own)",
            "SELECT dataset, resolution, min(value) AS best_fid",
            "FROM 'data/processed/latest/results.parquet'",
            "WHERE metric = 'FID' AND kind = 'absolute' AND role = 'proposed'",
            "GROUP BY dataset, resolution ORDER BY dataset, resolution;",
            "```",
            "",
            "Trace any claim to its sentence: `python -m pipeline explain PAPER_ID "
            "--release data/processed/latest`. `report.html` shows every board with its "
            "ranks, evidence, filters, sortable columns, trend plots and a view per paper.",
        ]
    )


def plots_section(plots: Sequence[tuple[str, str]]) -> str:
    if not plots:
        return "No plots were made for this release."
    return "\n\n".join(f"![{title}]({path})" for path, title in plots)


def changes_section(diff: ReleaseDiff | None) -> str:
    if diff is None:
        return "No previous release to compare with."
    return (
        f"Compared with {diff.old_version}: papers {len(diff.papers_added)} added, "
        f"{len(diff.papers_removed)} removed, {len(diff.papers_changed)} changed; claims "
        f"{len(diff.claims_added)} added, {len(diff.claims_removed)} removed, "
        f"{len(diff.claims_changed)} changed. Details in [CHANGELOG.md](CHANGELOG.md)."
    )


def render_card(
    release: Release,
    plots: Sequence[tuple[str, str]] = (),
    accuracy: dict[str, Any] | None = None,
    diff: ReleaseDiff | None = None,
) -> str:
    """The card's Markdown: pure, from the release, its plot paths, eval figures and diff."""
    m = release.manifest
    counts = ", ".join(f"{k}: {v['rows']}" for k, v in m["tables"].items())
    rows = {k: int(v["rows"]) for k, v in m["tables"].items()}
    empty = [k for k in RELEASE_TABLES if not rows.get(k)]
    parts = [
        front_matter(rows, hub_license(m.get("licenses"))),
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
        "Files: one Parquet file per table, `manifest.json` (row counts, sha256 and schema of "
        "every table, inputs, accounting), this card, `report.html` (the boards with "
        "filters, trend plots and a view per paper; open it in a browser, it needs no "
        "network), `plots/`"
        + (", `CHANGELOG.md`" if diff is not None else "")
        + ".",
        "",
        "## Where it came from",
        "",
        "Built by the paperclaims pipeline (ingest → normalise → extract → validate → publish) "
        f"version {m['pipeline_version']} from {len(m['inputs'])} input file(s); their sha256 "
        "and detected formats are in `manifest.json`. Gazetteer versions (sha256) are there too.",
        "",
        "## Changes",
        "",
        changes_section(diff),
        "",
        "## Loading",
        "",
        loading_section(),
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
        "## Licences",
        "",
        license_section(m.get("licenses")),
        "",
        "## Extraction accuracy",
        "",
        heldout_section(HELDOUT_FILES, pwc_section(read_eval(PWC_CHECK_FILE))),
        "",
        accuracy_section(accuracy),
        "",
        listing_section(read_eval(LISTING_CV_FILE), read_eval(LISTING_BLIND_FILE)),
        "",
        tasks_section(read_eval(TASKS_CV_FILE), read_eval(PAPER_TASK_CV_FILE)),
        "",
        "## Plots",
        "",
        plots_section(plots),
        "",
        "## Known limitations",
        "",
        "- Claims come from titles and abstracts only, not from full texts or tables.",
        "- Extraction is rule-based; numbers stated in unusual sentence shapes may be missed.",
        "- Papers are merged on arXiv id or on the case- and punctuation-folded title.",
        "- Leaderboards hold what papers claim about themselves; nothing is re-measured, and "
        "claims made under different protocols can sit side by side.",
        "- Listing pages of layouts unlike the annotated ones (`tests/fixtures/pages/`) are "
        "read less reliably: the figures above for pages the reader never saw are the guide.",
        *(
            [
                f"- Empty in this release: {', '.join(f'`{k}`' for k in empty)}. Their configs "
                "are declared with their features, but `datasets` 5.2 refuses to load a split "
                "with no rows (\"corresponds to no data\"; huggingface/datasets#8401); pandas, "
                "DuckDB and `pipeline.load` read them as empty tables."
            ]
            if empty
            else []
        ),
        "",
    ]
    return "\n".join(parts)


def write_changelog(release: Release, previous: Path, folder: Path) -> ReleaseDiff:
    """`CHANGELOG.md` in `folder`: this release against the previous one."""
    from pipeline.tools.diff import diff_against, render_diff

    diff = diff_against(previous, release.tables, release.manifest)
    (folder / "CHANGELOG.md").write_text(render_diff(diff, limit=500), encoding="utf-8")
    log.info("changelog: %s -> %s", diff.old_version, diff.new_version)
    return diff


def write_card(release: Release, folder: Path, previous: Path | None = None) -> None:
    """Write the card, its plots, `report.html` and (given a previous release) the changelog."""
    from pipeline.publish.plots import write_plots
    from pipeline.publish.report import write_report

    plots = write_plots(release.tables["results"], folder)
    write_report(release, folder)
    diff = None
    if previous is not None and (previous / "manifest.json").exists():
        diff = write_changelog(release, previous, folder)
    card = render_card(release, plots, read_eval(), diff)
    (folder / "README.md").write_text(card, encoding="utf-8")
