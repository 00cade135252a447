"""Run configuration shared by every stage's `run`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The project folder: `gazetteers/`, `schemas/` and `eval/` are read from here."""
GAZETTEER_DIR = ROOT / "gazetteers"
METRICS_CSV = GAZETTEER_DIR / "metrics.csv"
"""The metric table: names, aliases, direction (leaderboards) and ranges (validate)."""
DEFAULT_MAX_RECORD_MB = 32
MB = 1 << 20
DEFAULT_MAX_RECORD_BYTES = DEFAULT_MAX_RECORD_MB * MB


@dataclass(frozen=True, slots=True)
class Config:
    raw_dir: Path
    """Folder of raw inputs (read recursively)."""
    work_dir: Path
    """Stage intermediates and caches; never mixed into a release."""
    out_dir: Path | None = None
    """Publish the release tables directly here (replaced atomically)."""
    processed_dir: Path | None = None
    """Publish a versioned release `<processed_dir>/<version>/` and point `latest` at it."""
    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    strict: bool = False
    max_quarantine_rate: float | None = None
    progress: bool = False
    batch_size: int = 5000
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    """A line or record longer than this is quarantined (PC108), never held in memory whole."""
    categories: tuple[str, ...] = ()
    """`--categories`: keep only records of these arXiv categories (or prefixes); records
    whose source gives none are kept. Empty: keep everything."""
    follow_symlinks: bool = False
    """Read symlinks whose target lies outside the raw folder (default: skip them, saying why)."""

    def stage_dir(self, stage: str) -> Path:
        return self.work_dir / stage
