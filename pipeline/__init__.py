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

    # Not `import pipeline.load as m`: that reads the package attribute, which is this
    # function again once restored. Importing the submodule the first time rebinds
    # `pipeline.load` to the module; put the function back.
    loader = importlib.import_module("pipeline.load")
    globals()["load"] = _load
    result: dict[str, Any] = loader.load(release_dir, tables, verify=verify)
    return result


_load = load
