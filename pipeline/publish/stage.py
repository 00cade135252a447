"""Publish stage shell: validated tables -> a release folder, renamed into place in one step.

Reads `<work>/{ingest,normalise,validate}/`; writes `<processed>/<version>/` (tables,
`manifest.json`, `README.md` card, `report.html`, plots) and points `latest` at it, or
replaces `--out-dir`. The last release built is cached in `<work>/publish/`.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from pipeline.config import Config
from pipeline.io import read_json, sha256_file
from pipeline.locks import owned_dir, remove_stale
from pipeline.publish.publish import (
    TIMINGS,
    cache_release,
    check_policy,
    copy_release,
    point_latest,
    previous_release,
    publish_key,
    swap_into_place,
    write_release,
)
from pipeline.publish.release import CARD_COLUMNS, Release, assemble
from pipeline.records import StageResult
from pipeline.schemas import RELEASE_TABLES

log = logging.getLogger(__name__)


def run(cfg: Config) -> StageResult:
    """Assemble, check and write the release, or copy it from the work folder's cache.

    A release is a pure function of the work tables, the previous release (changelog) and
    the eval figures (card); the last one built is kept in `<work>/publish/` and copied when
    they are unchanged, since writing the card's plots can cost more than the whole run.
    """
    from pipeline.publish.card import write_card

    TIMINGS.clear()
    dest_parent = cfg.processed_dir if cfg.processed_dir else (cfg.out_dir or Path(".")).parent
    previous = previous_release(cfg)
    cache_dir = cfg.stage_dir("publish")
    key = publish_key(cfg, previous)
    cached = cache_dir / key
    release: Release | None = None
    if (cached / "manifest.json").exists():
        manifest = read_json(cached / "manifest.json")
        log.debug("publish: reusing the release built for key %s", key[:12])
    else:
        release = assemble(cfg)
        manifest = release.manifest
    check_policy(cfg, manifest["totals"])
    dest_parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest_parent, links=cfg.processed_dir is not None)
    with owned_dir(dest_parent, "tmp") as scratch:
        try:
            tmp = scratch / "release"
            if release is None:
                version = str(manifest["version"])
                in_place = _in_place(cfg, previous, version)
                if not in_place:  # a cached build is copied only when it is needed
                    copy_release(cached, tmp)
            else:
                columns = None if previous is not None else CARD_COLUMNS
                card = lambda r, f: write_card(r, f, previous)  # noqa: E731
                version = write_release(release, tmp, card, columns)
                cache_release(tmp, cache_dir, key)
                in_place = _in_place(cfg, previous, version)
            if cfg.processed_dir:
                dest = cfg.processed_dir / version
                if not in_place:
                    os.replace(tmp, dest)
                point_latest(cfg.processed_dir, version)
            else:
                assert cfg.out_dir is not None
                dest = cfg.out_dir
                if not in_place:
                    swap_into_place(tmp, dest)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    counts = {name: int(manifest["tables"][name]["rows"]) for name in RELEASE_TABLES}
    counts["reused"] = int(release is None)
    log.info("published %s", dest)
    return StageResult("publish", counts, (str(dest),))


def _in_place(cfg: Config, previous: Path | None, version: str) -> bool:
    """This version is already where it would go: under `--processed-dir`, a folder of that
    version (the same inputs and code gave it); under `--out-dir`, the release there with
    the same tables, which stays with the card and changelog that compared it with the
    release before it."""
    if cfg.processed_dir:
        return (cfg.processed_dir / version).exists()
    return previous is not None and _holds(previous, version)


def _holds(release: Path, version: str) -> bool:
    """`release` is this version, its tables untouched (each file's sha256 as its manifest
    says): then it is the release just built, and it stays as it is."""
    try:
        manifest = read_json(release / "manifest.json")
        if manifest.get("version") != version:
            return False
        return all(sha256_file(release / t["file"]) == t["sha256"]
                   for t in manifest["tables"].values())
    except (OSError, ValueError, KeyError, TypeError):
        return False
