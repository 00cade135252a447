"""Compiled builds (Cython) of the extractor's modules, used only when they match the source.

The extractor is pure Python; Cython compiles the same files, unchanged, to C extensions
that run ~8% faster (`make bench`; the README gives the paired runs). A build is named by
the sha256 of the exact source it was compiled from, `build/native/<module>.<digest>.so`,
and the import hook (`install`, run by `pipeline.extract`) loads it only under that name:
an edited source has another digest, so it is imported as Python until `make` builds it
again. A stale build can therefore never run, and no `.so` sits next to a `.py`.

`PAPERCLAIMS_PURE=1` turns the hook off (the tests compare both ways). `python -m
pipeline.native build` builds what is missing (`make` runs it; without a C compiler it
says so and the pipeline stays pure Python).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from types import ModuleType

from pipeline.config import ROOT

BUILD_DIR = ROOT / "build" / "native"
COMPILED = (
    "pipeline.extract.batch",
    "pipeline.extract.claims",
    "pipeline.extract.prefilter",
    "pipeline.extract.prescan",
    "pipeline.extract.resources",
    "pipeline.extract.segment",
    "pipeline.extract.tag",
    "pipeline.extract.urls",
)
"""The modules compiled: the per-abstract work of extract (not its package or stage shell)."""
_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def source_path(module: str) -> Path:
    return ROOT.joinpath(*module.split(".")).with_suffix(".py")


def build_path(module: str, source: bytes, build_dir: Path = BUILD_DIR) -> Path:
    """Where the build of `module` compiled from exactly `source` lives."""
    digest = hashlib.sha256(source).hexdigest()[:16]
    return build_dir / f"{module}.{digest}{_SUFFIX}"


@cache
def _current_build(module: str) -> Path | None:
    path = build_path(module, source_path(module).read_bytes(), BUILD_DIR)
    return path if path.is_file() else None


def enabled() -> bool:
    return os.environ.get("PAPERCLAIMS_PURE", "") in ("", "0")


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the current build of a `COMPILED` module; None (Python import) otherwise."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in COMPILED or not enabled():
            return None
        so = _current_build(fullname)
        if so is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(so))
        return importlib.util.spec_from_file_location(fullname, so, loader=loader)


_FINDER = _Finder()


def install() -> None:
    """Put the hook first on `sys.meta_path` (once)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def loaded() -> list[str]:
    """The `COMPILED` modules imported from a build in this process."""
    return [
        m
        for m in COMPILED
        if m in sys.modules and str(getattr(sys.modules[m], "__file__", "")).endswith(_SUFFIX)
    ]


def missing() -> list[str]:
    """The `COMPILED` modules without a build of their current source."""
    return [m for m in COMPILED if _current_build(m) is None]


def build(
    build_dir: Path = BUILD_DIR, modules: Sequence[str] = COMPILED, jobs: int = 2
) -> list[Path]:
    """Compile each of `modules` whose current source has no build in `build_dir`; a
    module's older builds are removed. Returns the builds made."""
    wanted = {m: build_path(m, source_path(m).read_bytes(), build_dir) for m in modules}
    todo = {m: p for m, p in wanted.items() if not p.is_file()}
    if not todo:
        return []
    import shutil
    import tempfile

    from Cython.Build import cythonize
    from setuptools import Distribution, Extension

    build_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=build_dir) as tmp:
        work = Path(tmp)
        # -w: the warnings are about Cython's generated C (gcc's array-bounds false positives).
        exts = [Extension(m, [str(source_path(m))], extra_compile_args=["-w"]) for m in todo]
        modules = cythonize(  # type: ignore[no-untyped-call]
            exts,
            build_dir=str(work / "c"),
            compiler_directives={"language_level": "3"},
            nthreads=jobs,
            quiet=True,
        )
        dist = Distribution({"ext_modules": modules, "script_name": "native"})
        cmd = dist.get_command_obj("build_ext")
        cmd.build_lib = str(work / "lib")
        cmd.build_temp = str(work / "tmp")
        cmd.parallel = jobs
        cmd.ensure_finalized()
        cmd.run()
        for m, dest in todo.items():
            built = work / "lib" / (m.replace(".", "/") + _SUFFIX)
            for old in build_dir.glob(f"{m}.*{_SUFFIX}"):
                old.unlink()
            shutil.move(built, dest)
    _current_build.cache_clear()
    return list(todo.values())


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m pipeline.native", description=__doc__)
    ap.add_argument("command", choices=("build", "status"))
    a = ap.parse_args(argv)
    if a.command == "status":
        for m in COMPILED:
            so = _current_build(m)
            print(f"{m}: {so.relative_to(ROOT) if so else 'no build of the current source'}")
        return 0
    try:
        made = build()
    except Exception as e:  # noqa: BLE001 - no compiler: say so, stay pure Python
        print(f"native: build failed ({type(e).__name__}: {e}); extract runs as Python",
              file=sys.stderr)
        return 0
    print(f"native: {len(made)} built, {len(COMPILED) - len(made)} up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
