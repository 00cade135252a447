"""`make fuzz` must reach past each property test's own small example count."""

from __future__ import annotations

import pytest
from budget import FUZZ_MAX, FUZZ_MIN, budget


def test_normal_runs_use_the_tests_own_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HYPOTHESIS_PROFILE", raising=False)
    assert budget(25) == 25


def test_fuzz_runs_draw_many_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "fuzz")
    assert budget(10) == FUZZ_MIN
    assert budget(60) == 3_000
    assert budget(1_000) == FUZZ_MAX
