"""Fault points: where crash-safety tests stop or slow a run (`PAPERCLAIMS_FAULT`).

`PAPERCLAIMS_FAULT=<name>[:raise|:sleep|:sleep=SECONDS]`: at the point called `<name>` the run
raises `OSError` (`:raise`), or sleeps (60 s, or SECONDS) so a test can kill it or change
its inputs there. Unset, a fault point costs one environment look-up.
"""

from __future__ import annotations

import os
import time


def fault_point(name: str) -> None:
    """Stop, or pause, here when `PAPERCLAIMS_FAULT` names this point."""
    spec = os.environ.get("PAPERCLAIMS_FAULT", "")
    point, _, action = spec.partition(":")
    if point != name:
        return
    if action == "raise":
        raise OSError(f"injected fault at {name}")
    _, _, seconds = action.partition("=")
    time.sleep(float(seconds) if seconds else 60.0)
