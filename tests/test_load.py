"""`pipeline.load(dir)` gives every release table with the contract's dtypes, in one line.

Also home of `write_sample_release`, a small but real release (real abstracts from the seed
pages, claims with verbatim offsets) that the explain, diff, card and CLI tests share.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from pipeline.errors import InputError
from pipeline.extract.tasks import task_of
from pipeline.publish.leaderboards import build_leaderboards
from pipeline.schemas import RELEASE_TABLES, arrow_schema, to_table

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = json.loads((Path(__file__).parent / "contract_columns.json").read_text())
DIRECTIONS = {"FID": "lower", "IS": "higher", "accuracy": "higher"}

DDO = (
    "While likelihood-based generative models, particularly diffusion and autoregressive "
    "models, have achieved remarkable fidelity in visual generation, the maximum likelihood "
    "estimation (MLE) objective inherently suffers from a mode-covering tendency. Our "
    "experiments demonstrate the effectiveness of DDO by significantly advancing the previous "
    "SOTA diffusion model EDM, reducing FID scores from 1.79/1.58 to new records of 1.30/0.97 "
    "on CIFAR-10/ImageNet-64 datasets, and by consistently improving both guidance-free and "
    "CFG-enhanced FIDs of visual autoregressive models on ImageNet 256×256."
)
DDO_EV = (
    "reducing FID scores from 1.79/1.58 to new records of 1.30/0.97 on CIFAR-10/ImageNet-64 "
    "datasets"
)
PFGM = (
    "We introduce a new family of physics-inspired generative models termed PFGM++. Our "
    "experiments show that models with finite D can be superior to previous state-of-the-art "
    "diffusion models on CIFAR-10/FFHQ 64×64 datasets, with FID scores of 1.91/2.43 when "
    "D=2048/128. In class-conditional setting, D=2048 yields current state-of-the-art FID of "
    "1.74 on CIFAR-10. Code is available at https://github.com/Newbeeer/pfgmpp"
)
ICT = (
    "Consistency models are a nascent family of generative models that can sample high "
    "quality data in one step. Combined with better hyperparameter tuning, these "
    "modifications enable consistency models to achieve FID scores of 2.51 and 3.25 on "
    "CIFAR-10 and ImageNet 64× 64 respectively in a single sampling step. Through two-step "
    "sampling, we further reduce FID scores to 2.24 and 2.77 on these two datasets."
)
LCT = (
    "Consistency models are a new family of generative models capable of producing "
    "high-quality samples in either a single step or multiple steps. The implementation is "
    "released here: https://github.com/quandao10/sLCT/"
)
FLOW = (
    "Flow matching has recently emerged as a powerful paradigm. Our method reaches an FID of "
    "5.26 on CelebA-HQ 256 and 4.46 on ImageNet 256 in the class-conditional setting."
)


def _paper(pid: str, title: str, authors: list[str], abstract: str | None, line: int,
           published: dt.date | None = None) -> dict:
    return {
        "paper_id": pid,
        "title": title,
        "authors": authors,
        "abstract": abstract,
        "source_file": "004_seed.txt",
        "source_format": "listing_text",
        "line": line,
        "arxiv_id": pid.removeprefix("arxiv:") if pid.startswith("arxiv:") else None,
        "urls": [],
        "sources": [f"004_seed.txt:{line}"],
        "categories": [],
        "published": published,
    }


def _claim(abstract: str, evidence: str, **kw: Any) -> dict:
    start = abstract.index(evidence)
    row = {
        "unit": None,
        "kind": "absolute",
        "dataset": None,
        "resolution": None,
        "role": "proposed",
        "steps": None,
        "setting": None,
        "model": None,
    }
    row.update(kw)
    row.update({"evidence": evidence, "start": start, "end": start + len(evidence)})
    row.setdefault("task", task_of(row["dataset"], row["metric"]))  # as extract fills it
    return row


def sample_rows(variant: str = "v1") -> dict[str, list[dict]]:
    """Rows of every table. `v2` removes LCT, adds a paper, changes and adds claims."""
    ddo, pfgm, ict = "title:1f3a9c0d2b7e4a11", "arxiv:2302.04265", "arxiv:2310.14189"
    lct, flow = "title:77aa0c9e1d2b3c4f", "arxiv:2307.08698"
    papers = [
        _paper(
            ddo,
            "Direct Discriminative Optimization: Your Likelihood-Based Visual Generative "
            "Model is Secretly a GAN Discriminator",
            ["Kaiwen Zheng", "Yongxin Chen"],
            DDO,
            47,
            dt.date(2025, 3, 3),
        ),
        _paper(
            pfgm,
            "PFGM++: Unlocking the Potential of Physics-Inspired Generative Models",
            ["Yilun Xu", "Ziming Liu"],
            PFGM,
            67,
            dt.date(2023, 2, 8),
        ),
        _paper(
            ict,
            "Improved Techniques for Training Consistency Models",
            ["Yang Song", "Prafulla Dhariwal"],
            ICT,
            191,
            dt.date(2023, 10, 22),
        ),
        _paper(lct, "Improved Training Technique for Latent Consistency Models", [], LCT, 83),
        _paper("title:0000aaaa1111bbbb", "A Tutorial on Bayesian Optimization", [], None, 120),
    ]
    ddo_ev = DDO_EV
    ct1 = "achieve FID scores of 2.51 and 3.25 on CIFAR-10 and ImageNet 64× 64"
    ct2 = "we further reduce FID scores to 2.24 and 2.77 on these two datasets"
    pf1 = "with FID scores of 1.91/2.43 when D=2048/128"
    results = [
        _claim(DDO, ddo_ev, paper_id=ddo, metric="FID", value=1.79, dataset="CIFAR-10",
               role="baseline", model="EDM"),
        _claim(DDO, ddo_ev, paper_id=ddo, metric="FID", value=1.58, dataset="ImageNet",
               resolution=64, role="baseline", model="EDM"),
        _claim(DDO, ddo_ev, paper_id=ddo, metric="FID", value=1.30, dataset="CIFAR-10"),
        _claim(DDO, ddo_ev, paper_id=ddo, metric="FID", value=0.97, dataset="ImageNet",
               resolution=64),
        _claim(PFGM, pf1, paper_id=pfgm, metric="FID", value=1.91, dataset="CIFAR-10"),
        _claim(PFGM, pf1, paper_id=pfgm, metric="FID", value=2.43, dataset="FFHQ",
               resolution=64),
        _claim(ICT, ct1, paper_id=ict, metric="FID", value=2.51, dataset="CIFAR-10", steps=1),
        _claim(ICT, ct1, paper_id=ict, metric="FID", value=3.25, dataset="ImageNet",
               resolution=64, steps=1),
        _claim(ICT, ct2, paper_id=ict, metric="FID", value=2.24, dataset="CIFAR-10", steps=2),
        _claim(ICT, ct2, paper_id=ict, metric="FID", value=2.77, dataset="ImageNet",
               resolution=64, steps=2),
    ]  # fmt: skip
    links = [
        {"paper_id": pfgm, "url": "https://github.com/newbeeer/pfgmpp", "kind": "code",
         "mention": "https://github.com/Newbeeer/pfgmpp"},
        {"paper_id": lct, "url": "https://github.com/quandao10/slct", "kind": "code",
         "mention": "https://github.com/quandao10/sLCT/"},
    ]  # fmt: skip
    datasets = [
        {"paper_id": ddo, "dataset": "CIFAR-10", "mention": "CIFAR-10", "start": DDO.index(
            "CIFAR-10"), "end": DDO.index("CIFAR-10") + 8, "in_gazetteer": True},
    ]  # fmt: skip
    if variant == "v2":
        papers = [p for p in papers if p["paper_id"] != lct]
        links = [x for x in links if x["paper_id"] != lct]
        papers.append(_paper(flow, "Flow Matching in Latent Space", ["Quan Dao"], FLOW, 29))
        results.append(
            _claim(FLOW, "an FID of 5.26 on CelebA-HQ 256", paper_id=flow, metric="FID",
                   value=5.26, dataset="CelebA-HQ", resolution=256)
        )  # fmt: skip
        results.append(
            _claim(PFGM, "state-of-the-art FID of 1.74 on CIFAR-10", paper_id=pfgm,
                   metric="FID", value=1.74, dataset="CIFAR-10", setting="class-conditional")
        )  # fmt: skip
        for r in results:
            if r["paper_id"] == ict and r["value"] == 2.24:
                r["value"] = 2.20
        papers[0] = {**papers[0], "authors": ["Kaiwen Zheng", "Yongxin Chen", "Ming-Yu Liu"]}
    return {
        "papers": papers,
        "code_links": links,
        "dataset_mentions": datasets,
        "resolutions": [],
        "results": results,
        "quarantine": [
            {"stage": "ingest", "source_file": "004_seed.txt", "line": 3,
             "reason": "PC105-no-title", "detail": "004_seed.txt:3: no title", "record": "{}"},
        ],  # fmt: skip
    }


def sample_tables(variant: str = "v1") -> dict[str, pa.Table]:
    rows = sample_rows(variant)
    tables = {name: to_table(name, rows[name]) for name in rows}
    dates = {p["paper_id"]: p["published"] for p in rows["papers"]}
    tables["leaderboards"] = build_leaderboards(tables["results"], DIRECTIONS, None, dates)
    tables["curated_results"] = arrow_schema("curated_results").empty_table()
    return tables


def sample_manifest(tables: dict[str, pa.Table]) -> dict[str, Any]:
    n = tables["papers"].num_rows
    inputs = [
        {
            "name": "004_seed.txt",
            "format": "listing_text",
            "sha256": "0" * 64,
            "records_read": n + 1,
            "papers_published": n,
            "duplicates_merged": 0,
            "records_quarantined": 1,
            "accounted": True,
        }
    ]
    return {
        "name": "paperclaims",
        "pipeline_version": "0.1.0",
        "schema_hash": "0" * 64,
        "gazetteers": {},
        "inputs": inputs,
        "totals": {
            "records_read": n + 1,
            "papers_published": n,
            "duplicates_merged": 0,
            "records_quarantined": 1,
            "claims_quarantined": 0,
        },
        "accounting_holds": True,
        "validation_checks": [],
        "tables": {},
    }


def write_sample_release(folder: Path, variant: str = "v1", previous: Path | None = None) -> Path:
    """Write a release with the real publish writer and card into `folder` (must not exist)."""
    from pipeline.publish.card import write_card
    from pipeline.publish.publish import write_release
    from pipeline.publish.release import Release

    tables = sample_tables(variant)
    release = Release(tables, sample_manifest(tables))
    write_release(release, folder, lambda r, f: write_card(r, f, previous))
    return folder


def seed_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real pipeline run once per test session on `data/raw`, shared between modules.

    Published as `make run` does (`--processed-dir`): `<base>/processed/<version>/` and
    `<base>/processed/latest`; returns the release folder.
    """
    return _session_release(tmp_path_factory, "seed-release", ROOT / "data/raw")


def formats_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real pipeline run once per session on the bundled inputs plus every file of
    `../shared/formats` (`tests/fixtures/formats` and `tests/fixtures/formats_shared`: arXiv
    snapshot, Hugging Face days, Papers with Code files), as a user runs `make run
    RAW=folder` on them; returns the release folder."""
    raw = tmp_path_factory.getbasetemp() / "formats-raw"
    if not raw.exists():
        tmp = raw.with_name("formats-raw.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(ROOT / "data/raw", tmp)
        shutil.copytree(ROOT / "tests/fixtures/formats", tmp / "formats",
                        ignore=shutil.ignore_patterns("*.md"))
        shutil.copytree(ROOT / "tests/fixtures/formats_shared", tmp / "formats_shared",
                        ignore=shutil.ignore_patterns("*.md"))
        tmp.rename(raw)
    return _session_release(tmp_path_factory, "formats-release", raw)


def _session_release(tmp_path_factory: pytest.TempPathFactory, name: str, raw: Path) -> Path:
    processed = tmp_path_factory.getbasetemp() / name / "processed"
    if not (processed / "latest" / "manifest.json").exists():
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline",
                "run",
                "--raw-dir",
                str(raw),
                "--processed-dir",
                str(processed),
                "--work-dir",
                str(processed.parent / "work"),
                "--no-progress",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
    return (processed / "latest").resolve()


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_release(tmp_path_factory.mktemp("load") / "release")


def test_load_gives_every_table_with_contract_columns(release: Path) -> None:
    import pipeline

    tables = pipeline.load(release)
    assert list(tables) == list(RELEASE_TABLES)
    for name, columns in CONTRACT.items():
        if name.startswith("_"):
            continue
        assert set(columns) <= set(tables[name].columns), name
    assert len(tables["papers"]) == 5
    assert len(tables["results"]) == 10


def test_dtypes_follow_the_contract_not_inference(release: Path) -> None:
    import pipeline

    t = pipeline.load(release)
    results, papers = t["results"], t["papers"]
    assert results["value"].dtype == "float64"
    assert results["paper_id"].dtype == pd.StringDtype()
    # Nullable ints stay ints with <NA>, never floats.
    assert results["steps"].dtype == pd.Int64Dtype()
    assert results["resolution"].dtype == pd.Int64Dtype()
    assert results["steps"].isna().any() and results["steps"].dropna().tolist() == [1, 1, 2, 2]
    assert results["start"].dtype == "int64"
    assert papers["authors"].dtype == object
    assert papers["authors"].iloc[0] == ["Kaiwen Zheng", "Yongxin Chen"]
    assert papers["abstract"].isna().sum() == 1
    assert t["dataset_mentions"]["in_gazetteer"].dtype == bool
    # Empty tables keep their dtypes too.
    assert t["resolutions"].empty and t["resolutions"]["pixels"].dtype == "int64"


def test_subset_processed_dir_and_verify(release: Path, tmp_path: Path) -> None:
    import pipeline

    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "latest").symlink_to(release, target_is_directory=True)
    only = pipeline.load(processed, ["results"], verify=True)
    assert list(only) == ["results"]
    with pytest.raises(InputError, match="no table"):
        pipeline.load(release, ["nope"])
    with pytest.raises(InputError, match="not a paperclaims release"):
        pipeline.load(tmp_path / "missing")


def test_verify_detects_a_changed_file(release: Path, tmp_path: Path) -> None:
    import shutil

    import pipeline

    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    papers = pd.read_parquet(copy / "papers.parquet")
    papers.head(1).to_parquet(copy / "papers.parquet")
    with pytest.raises(InputError, match="sha256"):
        pipeline.load(copy, verify=True)


def test_import_pipeline_stays_light_and_load_survives_submodule_import(release: Path) -> None:
    code = (
        "import sys, pipeline\n"
        "assert 'pandas' not in sys.modules, 'import pipeline pulled in pandas'\n"
        f"a = pipeline.load({str(release)!r})\n"
        "import pipeline.load\n"
        f"b = pipeline.load({str(release)!r})\n"
        "from pipeline import load\n"
        f"c = load({str(release)!r}, ['papers'])\n"
        "assert len(a['results']) == len(b['results']) == 10 and len(c['papers']) == 5\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # The submodule imported first (as explain/diff do): the name is still callable.
    code = f"import pipeline.load\nimport pipeline\nassert pipeline.load({str(release)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
