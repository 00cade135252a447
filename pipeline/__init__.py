"""paperclaims: ML paper listings -> a validated, versioned benchmark-results dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import pandas as pd

__version__ = "0.1.0"


def load(
    release_dir: str | Path, tables: Iterable[str] | None = None, *, verify: bool = False
) -> dict[str, pd.DataFrame]:
    """Every table of a release as pandas DataFrames with the contract's dtypes.

    `import pipeline` stays light (workers import it): pandas is imported on first call.
    """
    import importlib

    # The loader lives in `pipeline.tools.load`; importing it leaves this name alone (only
    # `import pipeline.load`, the callable shim, rebinds it).
    loader = importlib.import_module("pipeline.tools.load")
    result: dict[str, Any] = loader.load(release_dir, tables, verify=verify)
    return result
