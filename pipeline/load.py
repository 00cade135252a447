"""`pipeline.load`: the release loader (`pipeline.tools.load`) under its first, public name.

`import pipeline.load` and `from pipeline.load import load, resolve_release, ...` keep
working; the module itself is callable, so `pipeline.load(dir)` works even after
`import pipeline.load` has rebound the package attribute from the function to this module.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.tools.load import load, pandas_dtype, release_tables, resolve_release, to_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load", "pandas_dtype", "release_tables", "resolve_release", "to_frame"]


class _CallableModule(types.ModuleType):
    """Importing a submodule sets the parent package's attribute of the same name to the
    module, which would shadow the lazy `pipeline.load` function of `pipeline/__init__.py`."""

    def __call__(
        self, release_dir: str | Path, tables: Iterable[str] | None = None, *, verify: bool = False
    ) -> dict[str, pd.DataFrame]:
        return load(release_dir, tables, verify=verify)


sys.modules[__name__].__class__ = _CallableModule
