"""What the benchmark scripts share."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: a value that was actually measured, never interpolated."""
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]
