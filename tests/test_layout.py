"""The package layout holds: no import cycle in `pipeline/`, no private name taken across
modules, and every stage package has the same face (`stage.py` with `run(cfg)`, docstrings).

Imports are read with `ast` from the source, lazy (function-level) and TYPE_CHECKING ones
included: a cycle hidden inside a function is still a cycle between the modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "pipeline"
STAGES = ("ingest", "normalise", "extract", "validate", "publish")


def module_name(path: Path, root: Path) -> str:
    """The dotted name of the module at `path`, `root` being the folder that holds `pipeline/`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def pipeline_modules(pkg: Path = PKG) -> dict[str, Path]:
    return {module_name(p, pkg.parent): p for p in sorted(pkg.rglob("*.py"))}


def imports_of(tree: ast.AST, modules: dict[str, Path]) -> Iterator[tuple[str, str, int]]:
    """(module imported, name taken from it or "", line) for every import of a pipeline module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, "", node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module not in modules:
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in modules:  # `from pipeline.ingest import table`: the submodule
                    yield sub, "", node.lineno
                else:
                    yield node.module, alias.name, node.lineno


def module_aliases(tree: ast.AST, modules: dict[str, Path]) -> dict[str, str]:
    """Local names bound to a pipeline module (`import pipeline.x as y`, `from p import mod`)."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules and alias.asname:
                    out[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in modules:
                    out[alias.asname or alias.name] = sub
    return out


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for target, _, _ in imports_of(tree, modules):
            if target != name:
                graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def private_uses(modules: dict[str, Path]) -> list[str]:
    """`module:line takes name from other` for every private name read across modules."""
    found = []
    for name, path in modules.items():
        if path.stem.startswith("_") and not path.stem.startswith("__"):
            found.append(f"{name}: a module with a private name other modules must import")
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for target, taken, line in imports_of(tree, modules):
            if taken.startswith("_") and not taken.startswith("__"):
                found.append(f"{name}:{line} imports {taken} from {target}")
        aliases = module_aliases(tree, modules)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{name}:{node.lineno} reads {aliases[node.value.id]}.{node.attr}")
    return found


def test_no_import_cycle_in_pipeline() -> None:
    cycle = find_cycle(import_graph(pipeline_modules()))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_private_name_crosses_modules() -> None:
    assert private_uses(pipeline_modules()) == []


@pytest.mark.parametrize("stage", STAGES)
def test_stage_package_has_the_same_face(stage: str) -> None:
    folder = PKG / stage
    assert (folder / "__init__.py").is_file(), f"{stage} is not a package"
    shell = folder / "stage.py"
    tree = ast.parse(shell.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{shell} has no module docstring"
    runs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run"]
    assert runs and [a.arg for a in runs[0].args.args] == ["cfg"], f"{shell}: no run(cfg)"
    for path in folder.glob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{path} has no module docstring"


def test_checks_catch_a_cycle_and_a_private_import(tmp_path: Path) -> None:
    """The checks above can fail: a two-module cycle and a private import are found."""
    pkg = tmp_path / "pipeline"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pipeline.b import _g\n")
    (pkg / "b.py").write_text("import pipeline.a as a\n\ndef _g():\n    return a._x\n")
    modules = pipeline_modules(pkg)
    assert find_cycle(import_graph(modules)) == ["pipeline.a", "pipeline.b", "pipeline.a"]
    assert len(private_uses(modules)) == 2
