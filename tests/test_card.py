"""The dataset card: every required section, a schema table per table generated from
`schemas/`, Hugging Face configs that `datasets.load_dataset` reads offline, plots that are
byte-identical for identical tables, and a CHANGELOG.md only when a previous release exists."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import pipeline_run
from test_load import ROOT, sample_tables, write_sample_release

from pipeline.publish.card import (
    REQUIRED_SECTIONS,
    accuracy_section,
    front_matter,
    listing_section,
    render_card,
)
from pipeline.publish.plots import plot_claims_per_dataset_metric, plot_fid_per_dataset_resolution
from pipeline.schemas import RELEASE_TABLES, table_spec, to_table


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("card")
    v1 = write_sample_release(base / "v1")
    return v1, write_sample_release(base / "v2", "v2", previous=v1)


@pytest.fixture(scope="module")
def seed_release_with_formats(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus the real arXiv sample (whose papers state licences), run for real."""
    base = tmp_path_factory.mktemp("card-licences")
    raw = base / "raw"
    raw.mkdir()
    root = Path(__file__).resolve().parent.parent
    for f in [*(root / "data/raw").iterdir(),
              root / "tests/fixtures/formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl"]:
        shutil.copy(f, raw / f.name)
    proc = pipeline_run("--raw-dir", str(raw), "--out-dir", str(base / "rel"),
                        "--work-dir", str(base / "w"), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    return base / "rel"


def _card(folder: Path) -> str:
    return (folder / "README.md").read_text(encoding="utf-8")


def _yaml(card: str) -> dict:
    assert card.startswith("---\n")
    return yaml.safe_load(card[4 : card.index("\n---", 4)])


def test_required_sections_in_order(releases: tuple[Path, Path]) -> None:
    for folder in releases:
        card = _card(folder)
        positions = [card.find(f"\n{s}\n") for s in REQUIRED_SECTIONS]
        missing = [s for s in REQUIRED_SECTIONS if f"\n{s}\n" not in card]
        assert not missing, missing
        assert positions == sorted(positions)


def test_front_matter_has_license_tags_and_a_config_per_table(
    releases: tuple[Path, Path],
) -> None:
    card = _card(releases[0])
    meta = _yaml(card)
    # The sample's papers state no licence: the card claims none it cannot back.
    assert meta["license"] == "other" and "benchmark-results" in meta["tags"]
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert set(configs) == set(RELEASE_TABLES)  # empty ones too, with their features
    for name, config in configs.items():
        assert (releases[0] / config["data_files"]).is_file()
        assert config["data_files"] == f"{name}.parquet"
    assert configs["results"]["default"] is True
    # `resolutions` and `curated_results` are empty in the sample release: declared, and the
    # card says `datasets` cannot load an empty split.
    assert {n for n, c in configs.items() if "batch_size" in c} == {"resolutions",
                                                                   "curated_results"}
    info = {i["config_name"]: i for i in meta["dataset_info"]}
    assert set(info) == set(RELEASE_TABLES)
    assert info["resolutions"]["splits"] == [{"name": "train", "num_examples": 0}]
    assert "Empty in this release: `resolutions`, `curated_results`" in card
    assert "huggingface/datasets#8401" in card
    assert {c["config_name"] for c in _yaml(front_matter())["configs"]} == set(RELEASE_TABLES)


def test_schema_tables_are_generated_from_schemas(releases: tuple[Path, Path]) -> None:
    card = _card(releases[0])
    for name in RELEASE_TABLES:
        section = card.split(f"### `{name}`")[1].split("###")[0]
        for field in table_spec(name)["fields"]:
            assert f"| `{field['name']}` | {field['type']} |" in section, (name, field["name"])


def test_accounting_and_rows(releases: tuple[Path, Path]) -> None:
    card = _card(releases[0])
    manifest = json.loads((releases[0] / "manifest.json").read_text())
    assert f"# paperclaims release {manifest['version']}" in card
    assert "| `004_seed.txt` | listing_text | 6 | 5 | 0 | 1 |" in card
    assert "| **total** | | 6 | 5 | 0 | 1 |" in card
    assert "results: 10" in card


def test_accuracy_from_eval_figures() -> None:
    data = {
        "command": "make eval",
        "papers": 63,
        "pipeline_version": "0.1.0",
        "fields": {"results": {"precision": 0.9, "recall": 0.8, "f1": 0.847}},
    }
    text = accuracy_section(data)
    assert "| results | 0.900 | 0.800 | 0.847 |" in text and "(63 papers)" in text
    data = {
        "gold_papers": 63,
        "fields": {"urls": {"precision": 1, "recall": 1, "f1": 1, "tp": 13, "fp": 0, "fn": 0}},
    }
    assert "| urls | 1.000 | 1.000 | 1.000 | 13 | 0 | 0 |" in accuracy_section(data)
    assert "--write eval/seeds.json" in accuracy_section(None)


def test_accuracy_section_leads_with_the_blind_figures(releases: tuple[Path, Path]) -> None:
    card = (releases[0] / "README.md").read_text(encoding="utf-8")
    section = card.split("## Extraction accuracy", 1)[1].split("\n## ", 1)[0]
    blind = json.loads((ROOT / "eval/annotated_blind.json").read_text())
    first = section.strip().splitlines()[0]
    assert first.startswith("**On text nobody tuned on** — the annotated blind set "
                            f"({blind['gold_papers']} real abstracts")
    tuples = blind["fields"]["result_tuples"]["f1"]
    assert f"result tuples (metric, value, dataset) F1 {tuples:.3f}" in first
    # the seed figures (seen, a ceiling) come after every blind and held-out column
    assert section.index("annotated blind (") < section.index("held-out A (")
    assert section.index("held-out A (") < section.index("two bundled seed pages")


def test_listing_figures_name_their_set_and_that_it_was_unseen() -> None:
    data = {"command": "make eval", "pages": 20, "entries": 315, "abstracts": 116,
            "titles": {"f1": 0.7697}, "authors": {"f1": 0.825}, "abstracts_attached": 0.8276}
    text = listing_section(data)
    assert "leave-one-page-out, over 20 annotated pages (315 entries" in text
    assert "did not train on it" in text
    assert "seen: the reader's rules were tuned on them" in text
    folded = listing_section({**data, "folds": 10, "pages": 127})
    assert "10-fold by page (every 10th page in name order held out together), over 127 " \
        "annotated pages (315 entries" in folded
    nested = listing_section({**data, "folds": 10, "pages": 127, "entry_folds": 10})
    assert "held out together; the entry model's own folds drawn from the other pages " \
        "only: nested), over 127" in nested
    assert "leave-one-page-out" not in folded
    assert "titles F1 0.770, authors F1 0.825" in text and "0.828 (of 116)" in text
    assert listing_section(None) == ""
    blind = {"pages": 14, "entries": 509, "models_at": "4cd3217", "titles": {"f1": 0.4515},
             "authors": {"f1": 0.4865}, "abstracts_attached": 0.0, "abstracts": 64}
    text = listing_section(data, blind)
    assert text.startswith("Listing pages (ingest), blind: 14 annotated real pages of other "
                           "sites (509 entries) read by the listing models of 4cd3217, before "
                           "any model trained")
    assert "titles F1 0.452" in text and "Cross-validated, measured by" in text
    standing = {**blind, "folder": "tests/fixtures/pages_blind", "standing": True}
    del standing["models_at"]
    assert "(509 entries) that no listing model trains on (`tests/fixtures/pages_blind`): " \
        "titles F1 0.452" in listing_section(data, standing)


def test_card_uses_the_eval_file(releases: tuple[Path, Path], tmp_path: Path) -> None:
    import pipeline.publish.card as card_mod
    from pipeline.publish.release import Release

    tables = sample_tables()
    manifest = json.loads((releases[0] / "manifest.json").read_text())
    card = render_card(
        Release(tables, manifest),
        accuracy={"fields": {"datasets": {"precision": 1, "recall": 0.5, "f1": 2 / 3}}},
    )
    assert "| datasets | 1.000 | 0.500 | 0.667 |" in card
    eval_file = tmp_path / "seeds.json"
    eval_file.write_text(json.dumps({"fields": {"urls": {"precision": 1, "recall": 1, "f1": 1}}}))
    assert card_mod.read_eval(eval_file) == {
        "fields": {"urls": {"precision": 1, "recall": 1, "f1": 1}}
    }
    assert card_mod.read_eval(tmp_path / "missing.json") is None


def test_plots_are_written_linked_and_png(releases: tuple[Path, Path]) -> None:
    card = _card(releases[0])
    for name in ("claims_per_dataset_metric.png", "fid_per_dataset_resolution.png"):
        path = releases[0] / "plots" / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"](plots/{name})" in card
        # No tool/version or date metadata, which would make bytes vary.
        data = path.read_bytes()
        assert b"Software" not in data and b"tIME" not in data and b"matplotlib" not in data


def test_release_extras_are_deterministic(tmp_path: Path) -> None:
    a = write_sample_release(tmp_path / "a", "v2")
    b = write_sample_release(tmp_path / "b", "v2")
    for rel in (
        "README.md",
        "report.html",
        "plots/claims_per_dataset_metric.png",
        "plots/fid_per_dataset_resolution.png",
    ):
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_plots_of_empty_results_still_render() -> None:
    import pandas as pd

    empty = to_table("results", []).to_pandas()
    assert plot_claims_per_dataset_metric(empty)[:4] == b"\x89PNG"
    assert plot_fid_per_dataset_resolution(pd.DataFrame(empty))[:4] == b"\x89PNG"


def test_changelog_only_with_a_previous_release(releases: tuple[Path, Path]) -> None:
    v1, v2 = releases
    assert not (v1 / "CHANGELOG.md").exists()
    assert "No previous release to compare with." in _card(v1)
    log = (v2 / "CHANGELOG.md").read_text()
    old_version = json.loads((v1 / "manifest.json").read_text())["version"]
    assert log.startswith(f"# Changes from {old_version} to ")
    assert "## Claims added (2)" in log and "## Papers removed (1)" in log
    card = _card(v2)
    assert f"Compared with {old_version}: papers 1 added, 1 removed, 1 changed" in card
    assert "[CHANGELOG.md](CHANGELOG.md)" in card


def test_hf_datasets_loads_every_config_offline(
    releases: tuple[Path, Path], tmp_path: Path
) -> None:
    pytest.importorskip("datasets")
    release = tmp_path / "release"
    shutil.copytree(releases[0], release)
    code = (
        "import datasets, json, sys\n"
        "meta = sys.argv[2:]\n"
        "out = {n: datasets.load_dataset(sys.argv[1], n)['train'].num_rows for n in meta}\n"
        "out['default'] = datasets.load_dataset(sys.argv[1])['train'].num_rows\n"
        "print(json.dumps(out))\n"
    )
    manifest = json.loads((release / "manifest.json").read_text())
    # every non-empty table loads (empty ones cannot: huggingface/datasets#8401)
    configs = [c["config_name"] for c in _yaml(_card(release))["configs"]
               if manifest["tables"][c["config_name"]]["rows"]]
    env = {
        **os.environ,
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf"),
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-c", code, str(release), *configs],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    manifest = json.loads((release / "manifest.json").read_text())
    for name in configs:
        assert counts[name] == manifest["tables"][name]["rows"], name
    assert counts["default"] == manifest["tables"]["results"]["rows"]


@pytest.mark.slow
def test_publish_writes_changelog_report_and_plots_into_a_new_release(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """`publish --out-dir` over an earlier release: the new one carries CHANGELOG.md."""
    from test_load import seed_release

    release = seed_release(tmp_path_factory)
    work = release.parent.parent / "work"
    out = tmp_path / "out"
    shutil.copytree(release, out)
    # Pretend the earlier release lacked a paper, so the changelog has something to say.
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    papers = pq.read_table(out / "papers.parquet")
    dropped = papers.column("paper_id")[0].as_py()
    pq.write_table(papers.filter(pc.not_equal(papers["paper_id"], dropped)), out / "papers.parquet")
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "publish", "--raw-dir", str(ROOT / "data/raw"),
         "--work-dir", str(work), "--out-dir", str(out), "--no-progress"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = (out / "CHANGELOG.md").read_text()
    assert f"## Papers added (1)\n\n- `{dropped}` " in log
    for rel in ("report.html", "README.md", "plots/fid_per_dataset_resolution.png"):
        assert (out / rel).is_file(), rel
    assert "[CHANGELOG.md](CHANGELOG.md)" in _card(out)
    # The seed release itself (a first release) has none.
    assert not (release / "CHANGELOG.md").exists()


def test_card_loading_examples_run(releases: tuple[Path, Path], tmp_path: Path) -> None:
    import re

    import duckdb
    from test_load import ROOT

    card = _card(releases[1])
    section = card.split("\n## Loading\n", 1)[1].split("\n## ", 1)[0]
    (tmp_path / "data" / "processed").mkdir(parents=True)
    (tmp_path / "data" / "processed" / "latest").symlink_to(releases[1])
    [sql] = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    con = duckdb.connect()
    con.execute(f"SET file_search_path = '{tmp_path}'")
    best = {(d, r): v for d, r, v in con.sql(sql).fetchall()}
    assert best[("CIFAR-10", None)] == pytest.approx(1.30)
    assert ("ImageNet", 64) in best and ("ImageNet", None) not in best  # per resolution
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf"),
    }
    code += "\nassert len(tables['results']) == len(results) == ds['train'].num_rows == 12\n"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_fid_plot_draws_a_bounded_spread_of_many_points() -> None:
    import numpy as np

    from pipeline.publish.plots import MAX_POINTS_PER_ROLE, spread

    values = np.arange(10_000, 0, -1, dtype=float)
    drawn = spread(values, MAX_POINTS_PER_ROLE)
    assert len(drawn) == MAX_POINTS_PER_ROLE
    assert drawn[0] == 1.0 and drawn[-1] == 10_000.0  # best and worst always drawn
    assert list(drawn) == sorted(drawn)
    assert list(spread(np.array([3.0, 1.0, 2.0]), MAX_POINTS_PER_ROLE)) == [1.0, 2.0, 3.0]


def test_fid_plot_of_a_huge_board_renders_quickly_enough_to_be_a_png() -> None:
    import pandas as pd

    n = 20_000
    df = pd.DataFrame({
        "metric": ["FID"] * n, "kind": ["absolute"] * n, "dataset": ["CIFAR-10"] * n,
        "resolution": [None] * n, "value": [float(i % 500) + 1 for i in range(n)],
        "role": ["proposed" if i % 3 else "baseline" for i in range(n)],
    })
    assert plot_fid_per_dataset_resolution(df)[:4] == b"\x89PNG"


def test_plots_of_compact_results_are_the_plots_of_the_whole_table() -> None:
    # The card draws from `compact_results` (FID points kept, other rows counted) so that
    # its memory does not grow with the release; the PNGs must be the same bytes.
    import pyarrow as pa

    from pipeline.publish.plots import compact_results

    rows = []
    datasets = [None, "CIFAR-10", "FFHQ", "ImageNet", *[f"D{i}" for i in range(25)]]
    metrics = ["FID", "IS", "accuracy", "BLEU", *[f"M{i}" for i in range(14)]]
    for i in range(3000):
        rows.append({
            "paper_id": f"p{i % 400}", "metric": metrics[(i * 7) % len(metrics)],
            "value": float((i * 37) % 301) / 10 + 0.5, "unit": None,
            "kind": "absolute" if i % 5 else "relative",
            "dataset": datasets[(i * 11) % len(datasets)],
            "resolution": [None, 64, 256][i % 3], "role": ["proposed", "baseline",
                                                           "prior_sota"][i % 3],
            "steps": None, "setting": None, "model": None, "evidence": "x", "start": 0,
            "end": 1,
        })
    whole = to_table("results", rows)
    compact = compact_results(whole.to_batches(max_chunksize=700))
    assert compact.num_rows < whole.num_rows / 3
    assert pa.compute.sum(compact["n"]).as_py() == whole.num_rows
    full_df, compact_df = whole.to_pandas(), compact.to_pandas()
    for plot in (plot_claims_per_dataset_metric, plot_fid_per_dataset_resolution):
        assert plot(compact_df) == plot(full_df), plot.__name__
    empty = compact_results(iter([]))
    assert plot_claims_per_dataset_metric(empty.to_pandas())[:4] == b"\x89PNG"


def test_card_license_follows_the_papers_licences() -> None:
    from pipeline.publish.card import hub_license, license_section

    by = "http://creativecommons.org/licenses/by/4.0/"
    assert hub_license({by: 12}) == "cc-by-4.0"
    assert hub_license({"http://creativecommons.org/publicdomain/zero/1.0/": 3}) == "cc0-1.0"
    assert hub_license({by: 12, "unknown": 1}) == "other"  # mixed
    assert hub_license({"http://arxiv.org/licenses/nonexclusive-distrib/1.0/": 5}) == "other"
    assert hub_license({"unknown": 4}) == "other" and hub_license(None) == "other"
    section = license_section({by: 12, "unknown": 1})
    assert f"| `{by}` | 12 |" in section and "| `unknown` | 1 |" in section


@pytest.mark.slow
def test_release_counts_papers_per_licence(seed_release_with_formats: Path) -> None:
    manifest = json.loads((seed_release_with_formats / "manifest.json").read_text())
    assert sum(manifest["licenses"].values()) == manifest["totals"]["papers_published"]
    assert manifest["licenses"]["http://creativecommons.org/licenses/by-nc-nd/4.0/"] >= 1
    card = (seed_release_with_formats / "README.md").read_text()
    assert card.startswith("---\nlicense: other\n") and "## Licences" in card


def test_every_figures_file_the_card_reads_is_in_the_publish_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.publish.card as card_mod
    from pipeline.config import Config
    from pipeline.publish.publish import publish_key

    assert card_mod.LISTING_CV_FILE in card_mod.CARD_EVAL_FILES
    assert card_mod.EVAL_FILE in card_mod.CARD_EVAL_FILES
    assert set(card_mod.HELDOUT_FILES.values()) <= set(card_mod.CARD_EVAL_FILES)
    figures = tmp_path / "listing_cv.json"
    monkeypatch.setattr(card_mod, "CARD_EVAL_FILES", (figures,))
    cfg = Config(raw_dir=tmp_path / "raw", work_dir=tmp_path / "work")
    figures.write_text('{"titles": {"f1": 0.5}}')
    before = publish_key(cfg, None)
    figures.write_text('{"titles": {"f1": 0.6}}')
    assert publish_key(cfg, None) != before


@pytest.mark.slow
def test_hf_datasets_on_latest_returns_the_newest_release(tmp_path: Path) -> None:
    # Two runs on different inputs into one --processed-dir, `datasets` cache shared: loading
    # `latest` after each gives that release's rows, never the cached rows of the one before.
    pytest.importorskip("datasets")
    seeds = Path(__file__).parent / "fixtures" / "seeds"
    raw1, raw2, processed = tmp_path / "r1", tmp_path / "r2", tmp_path / "processed"
    raw1.mkdir()
    shutil.copy(seeds / "000_2a00aa8dfd2c52e5.txt", raw1)
    shutil.copytree(seeds, raw2)
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}
    code = ("import datasets, sys\n"
            "print(datasets.load_dataset(sys.argv[1], 'papers')['train'].num_rows)\n")
    seen = []
    for i, raw in enumerate((raw1, raw2)):
        proc = pipeline_run("--raw-dir", str(raw), "--processed-dir", str(processed),
                            "--work-dir", str(tmp_path / f"w{i}"))
        assert proc.returncode == 0, proc.stderr[-2000:]
        latest = processed / "latest"
        rows = json.loads((latest / "manifest.json").read_text())["tables"]["papers"]["rows"]
        got = subprocess.run([sys.executable, "-c", code, str(latest)], capture_output=True,
                             text=True, env=env, timeout=300)
        assert got.returncode == 0, got.stderr[-3000:]
        assert int(got.stdout.strip().splitlines()[-1]) == rows
        seen.append(rows)
    assert seen == [12, 63]


def test_dataset_info_features_are_what_datasets_reads_from_the_schemas() -> None:
    datasets = pytest.importorskip("datasets")
    from pipeline.schemas import arrow_schema

    rows = {name: i + 1 for i, name in enumerate(RELEASE_TABLES)}
    info = {c["config_name"]: c for c in _yaml(front_matter(rows))["dataset_info"]}
    assert list(info) == list(RELEASE_TABLES)
    for name in RELEASE_TABLES:
        expected = datasets.Features.from_arrow_schema(arrow_schema(name))._to_yaml_list()
        assert info[name]["features"] == expected, name
        assert info[name]["splits"] == [{"name": "train", "num_examples": rows[name]}]
    empty = {c["config_name"]: c for c in _yaml(front_matter({"papers": 3}))["dataset_info"]}
    assert list(empty) == list(RELEASE_TABLES)  # every table, empty ones with 0 rows
    assert empty["quarantine"]["splits"] == [{"name": "train", "num_examples": 0}]


def test_pwc_and_task_figures_name_their_sets() -> None:
    from pipeline.publish.card import pwc_section, tasks_section

    text = pwc_section({"rows": 250, "papers": 150, "value_recall": 0.712,
                        "value_metric_recall": 0.528, "value_metric_dataset_recall": 0.236})
    assert "250 leaderboard rows" in text and "150 papers of the pwc_train dev split" in text
    assert "held out" in text and "71.2%" in text and "23.6%" in text
    assert pwc_section(None) == "" and tasks_section(None) == ""
    text = tasks_section({"k": 5, "rows": 14350, "coverage": 0.957,
                          "accuracy_when_named": 0.775})
    assert "5-fold cross-validation over 14,350" in text and "seen data" in text
    assert "95.7%" in text and "77.5%" in text
    text = tasks_section({"k": 5, "rows": 14350, "coverage": 0.957, "accuracy_when_named": 0.775},
                         {"k": 5, "papers": 7444, "min_probability": 0.7, "by_threshold": {
                             "0.7": {"coverage": 0.524, "precision": 0.711}}})
    assert "probability of 0.7" in text and "7,444 pwc_train papers" in text
    assert "52.4%" in text and "71.1%" in text
