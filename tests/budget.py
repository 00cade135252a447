"""How many examples a property test draws.

Each property test states a count that keeps `make test` quick (the `ci` profile); under
`make fuzz` (HYPOTHESIS_PROFILE=fuzz) that count is multiplied by 50, at least 1,000 and at
most the fuzz profile's 5,000, so a test's own count never caps the long run.
"""

from __future__ import annotations

import os

FUZZ_FACTOR = 50
FUZZ_MIN = 1_000
FUZZ_MAX = 5_000


def budget(n: int) -> int:
    """`n` examples in a normal run; many more in `make fuzz`."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz":
        return min(FUZZ_MAX, max(FUZZ_MIN, n * FUZZ_FACTOR))
    return n
