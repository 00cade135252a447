"""The compiled (Cython) builds of extract's modules: loaded only when built from the exact
current source, and extracting exactly what the Python modules do."""

from __future__ import annotations

import base64
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_extract_prefilter import TEXTS

from pipeline import native
from pipeline.extract import extract_paper
from pipeline.records import Paper

_EXTRACT = """
import base64, json, pickle, sys
from pipeline import native
from pipeline.extract import extract_paper
from pipeline.records import Paper
texts = json.load(sys.stdin)
out = [extract_paper(Paper(paper_id=f"p{i}", title=f"Title {i}", authors=(), abstract=t,
                           source_file="t.jsonl", source_format="arxiv_jsonl", line=i + 1))
       for i, t in enumerate(texts)]
print(json.dumps({"loaded": native.loaded(),
                  "out": base64.b64encode(pickle.dumps(out)).decode()}))
"""


def _extract_in_subprocess(texts: list[str], pure: bool) -> tuple[list[str], list[object]]:
    env = {**os.environ, "PAPERCLAIMS_PURE": "1" if pure else ""}
    proc = subprocess.run(
        [sys.executable, "-c", _EXTRACT],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    got = json.loads(proc.stdout)
    return got["loaded"], pickle.loads(base64.b64decode(got["out"]))


def test_build_path_names_the_exact_source() -> None:
    src = native.source_path("pipeline.extract.tag").read_bytes()
    path = native.build_path("pipeline.extract.tag", src)
    assert path == native.build_path("pipeline.extract.tag", src)
    assert path != native.build_path("pipeline.extract.tag", src + b"\n")
    assert path.name.startswith("pipeline.extract.tag.")


def test_the_hook_leaves_other_modules_and_pure_mode_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    finder = native._Finder()
    assert finder.find_spec("pipeline.normalise", None) is None
    monkeypatch.setenv("PAPERCLAIMS_PURE", "1")
    assert finder.find_spec("pipeline.extract.tag", None) is None


def test_builds_are_what_runs_when_make_built_them() -> None:
    """`make test` builds first and sets PAPERCLAIMS_NATIVE_REQUIRED: then every compiled
    module must be imported from its build (a silent fall-back to Python would hide a
    broken build and measure the wrong thing)."""
    if os.environ.get("PAPERCLAIMS_NATIVE_REQUIRED") != "1":
        pytest.skip("run outside `make test`: builds may be absent")
    assert native.missing() == []
    loaded, _ = _extract_in_subprocess(["FID 2.1 on CIFAR-10."], pure=False)
    assert loaded == list(native.COMPILED)


def test_compiled_and_python_extract_the_same() -> None:
    """Every real fixture abstract: the same Extraction with the builds as without."""
    if native.missing():
        pytest.skip("no builds of the current source (`make native`)")
    loaded, compiled = _extract_in_subprocess(TEXTS, pure=False)
    assert loaded == list(native.COMPILED)
    pure_loaded, pure = _extract_in_subprocess(TEXTS, pure=True)
    assert pure_loaded == []
    assert sum(len(x.results) for x in pure) >= 40  # type: ignore[attr-defined]
    assert compiled == pure


@pytest.mark.slow
def test_an_edited_source_never_loads_the_old_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Build one module into a scratch folder; it is found for its source, and not once
    the source changes by one byte (it is imported as Python until rebuilt)."""
    module = "pipeline.extract.segment"
    made = native.build(tmp_path, modules=(module,))
    assert [p.name for p in made] == [native.build_path(module, native.source_path(module)
                                                        .read_bytes()).name]
    monkeypatch.setattr(native, "BUILD_DIR", tmp_path)
    native._current_build.cache_clear()
    try:
        spec = native._Finder().find_spec(module, None)
        assert spec is not None and spec.origin == str(made[0])
        edited = tmp_path / "segment.py"
        shutil.copy(native.source_path(module), edited)
        edited.write_text(edited.read_text() + "\n# edited\n")
        monkeypatch.setattr(native, "source_path", lambda m: edited)
        native._current_build.cache_clear()
        assert native._Finder().find_spec(module, None) is None
        assert native.missing() == list(native.COMPILED)
    finally:
        native._current_build.cache_clear()


def test_a_paper_extracts_in_process_as_in_a_fresh_one() -> None:
    # The in-process modules (compiled or not) agree with a fresh interpreter's.
    text = TEXTS[0]
    here = extract_paper(Paper(paper_id="p0", title="Title 0", authors=(), abstract=text,
                               source_file="t.jsonl", source_format="arxiv_jsonl", line=1))
    _, there = _extract_in_subprocess([text], pure=False)
    assert there == [here]
