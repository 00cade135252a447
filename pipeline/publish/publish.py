"""Atomic write of a release: tables, manifest and card into a hidden temporary folder next
to the destination, renamed into place in one step, so a failed or killed run never leaves a
half release.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from pipeline import __version__
from pipeline.config import Config
from pipeline.errors import InputError, PolicyError
from pipeline.faults import fault_point
from pipeline.io import (
    iter_batches,
    read_json,
    read_table,
    sha256_file,
    write_json,
    write_table,
)
from pipeline.locks import owned_dir, owned_name
from pipeline.publish.release import Release, copy_table, schema_json, sha256_bytes
from pipeline.schemas import RELEASE_TABLES, arrow_schema

log = logging.getLogger(__name__)

TIMINGS: dict[str, float] = {}
"""Seconds spent in parts of the last publish (`card`: the card, its plots and report)."""


def write_release(
    release: Release,
    folder: Path,
    card: Callable[[Release, Path], None],
    card_columns: dict[str, list[str]] | None = None,
) -> str:
    """Write tables, manifest and card into `folder`; return the release version.

    Streamed papers are handed to `card` re-read from the written file; `card_columns`
    limits what the card gets of a table (None: everything).
    """
    folder.mkdir(parents=True)
    manifest = release.manifest
    for name in RELEASE_TABLES:
        path = folder / f"{name}.parquet"
        if name == "papers" and release.papers_stream is not None:
            rows = release.papers_stream.write(path)
        elif name in release.streams:
            rows = copy_table(release.streams[name], path, name)
        else:
            write_table(path, release.tables[name].cast(arrow_schema(name)))
            rows = release.tables[name].num_rows
        manifest["tables"][name] = {
            "file": path.name,
            "rows": rows,
            "sha256": sha256_file(path),
            "schema": schema_json(arrow_schema(name)),
        }
    digest = sha256_bytes(
        json.dumps({k: v["sha256"] for k, v in manifest["tables"].items()}, sort_keys=True).encode()
    )
    manifest["version"] = f"{__version__}-{digest[:10]}"
    fault_point("publish-tables-written")
    write_json(folder / "manifest.json", manifest)
    streamed = set(release.streams) | ({"papers"} if release.papers_stream is not None else set())
    if streamed or card_columns:
        # The card gets the streamed tables back from the written files, and of every table
        # only `card_columns`.
        tables = dict(release.tables)
        columns = card_columns or {}
        for name in sorted(streamed):
            tables[name] = _card_table(folder, name, columns.get(name), card_columns)
        for name, cols in columns.items():
            whole = name in tables and name not in streamed  # streamed: read as the card needs
            if whole and set(cols) < set(tables[name].column_names):
                tables[name] = tables[name].select(cols)
        release = Release(tables, manifest)
    t0 = time.perf_counter()
    card(release, folder)
    TIMINGS["card"] = round(time.perf_counter() - t0, 3)
    log.debug("publish: card, plots and report took %.1fs", TIMINGS["card"])
    return str(manifest["version"])


def _card_table(
    folder: Path,
    name: str,
    columns: list[str] | None,
    card_columns: dict[str, list[str]] | None,
) -> pa.Table:
    """A written table as the card reads it: `columns` only (results compacted for the
    plots when `card_columns` is given)."""
    path = folder / f"{name}.parquet"
    if columns == []:
        return arrow_schema(name).empty_table().select([])
    if name == "results" and card_columns is not None:
        from pipeline.publish.plots import compact_results

        return compact_results(iter_batches(path, 65_536, columns=columns))
    return read_table(path, name, columns)


def swap_into_place(tmp: Path, dest: Path) -> None:
    """Replace `dest` by `tmp` (both folders) with renames only.

    The release it replaces is first moved into a folder of ours (`locks.owned_dir`), so a
    run killed in between leaves nothing a later run cannot recognise and remove.
    """
    if dest.exists() or dest.is_symlink():
        check_replaceable(dest)
        with owned_dir(dest.parent, "old") as retired:
            os.replace(dest, retired / "release")
            os.replace(tmp, dest)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(tmp, dest)


def check_replaceable(dest: Path) -> None:
    """`--out-dir` replaces only a release (or an empty folder): never a user's folder."""
    if dest.is_symlink() or not dest.is_dir():
        raise InputError(f"{dest}: exists and is not a folder; choose another --out-dir")
    manifest = dest / "manifest.json"
    if manifest.is_file():
        try:
            if read_json(manifest).get("name") == "paperclaims":
                return
        except (OSError, ValueError):
            pass
    elif not any(dest.iterdir()):
        return
    raise InputError(
        f"{dest}: exists and is not a paperclaims release (no paperclaims manifest.json); "
        "--out-dir replaces its folder whole, so choose a new or empty folder"
    )


def point_latest(processed: Path, version: str) -> None:
    link = processed / "latest"
    tmp = processed / owned_name("latest")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(version, target_is_directory=True)
    os.replace(tmp, link)


def publish_key(cfg: Config, previous: Path | None) -> str:
    """Content key of everything a release is built from (work tables, previous release)."""
    from pipeline.cache import key_of
    from pipeline.publish.card import CARD_EVAL_FILES

    digests = []
    for stage in ("ingest", "normalise", "validate"):
        folder = cfg.stage_dir(stage)
        for p in sorted(folder.glob("*")):
            if p.is_file() and not p.name.startswith("."):
                digests.append((f"{stage}/{p.name}", sha256_file(p)))
    prev = sha256_file(previous / "manifest.json") if previous is not None else None
    evals = [sha256_file(p) if p.exists() else None for p in CARD_EVAL_FILES]
    return key_of("publish", digests, prev, evals)


def copy_release(src: Path, folder: Path) -> None:
    """Copy a cached release into `folder`: tables, then (past the fault point) the rest."""
    folder.mkdir(parents=True)
    for name in RELEASE_TABLES:
        shutil.copyfile(src / f"{name}.parquet", folder / f"{name}.parquet")
    fault_point("publish-tables-written")
    for p in sorted(src.rglob("*")):
        dest = folder / p.relative_to(src)
        if p.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif not dest.exists():
            shutil.copyfile(p, dest)


def cache_release(folder: Path, cache_dir: Path, key: str) -> None:
    from pipeline.cache import keep_only, publish_dir_atomically

    tmp = cache_dir / f".tmp-{key}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(folder, tmp)
    publish_dir_atomically(tmp, cache_dir / key)
    keep_only(cache_dir, [key])


def check_policy(cfg: Config, totals: dict[str, int]) -> None:
    """`--strict` and `--max-quarantine-rate`: refuse to publish, naming the count."""
    if totals["papers_published"] == 0:
        raise PolicyError(f"nothing to publish: 0 papers from {totals['records_read']} records")
    quarantined = totals["records_quarantined"] + totals["claims_quarantined"]
    if cfg.strict and quarantined:
        raise PolicyError(f"--strict: {quarantined} rows quarantined; see the quarantine table")
    if cfg.max_quarantine_rate is not None and totals["records_read"]:
        rate = totals["records_quarantined"] / totals["records_read"]
        if rate > cfg.max_quarantine_rate:
            raise PolicyError(
                f"quarantine rate {rate:.3f} > --max-quarantine-rate {cfg.max_quarantine_rate}"
            )


def previous_release(cfg: Config) -> Path | None:
    if cfg.processed_dir and (cfg.processed_dir / "latest" / "manifest.json").exists():
        return (cfg.processed_dir / "latest").resolve()
    if cfg.out_dir and (cfg.out_dir / "manifest.json").exists():
        return cfg.out_dir
    return None
