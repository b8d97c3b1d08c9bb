"""What the benchmark scripts share."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: a value that was actually measured, never interpolated."""
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def django_in_bench_database(name: str, *, tasks: str = "immediate") -> None:
    """Django set up on a fresh SQLite file var/bench/NAME.sqlite3, or on DATABASE_URL when it
    is set (e.g. inside pg_virtualenv); jobs run at once ("immediate") or are queued
    ("database", as in production)."""
    import logging
    import os
    import warnings
    from pathlib import Path

    if not os.environ.get("DATABASE_URL"):
        bench = Path(__file__).resolve().parents[1] / "var" / "bench"
        bench.mkdir(parents=True, exist_ok=True)
        path = bench / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    os.environ.setdefault("DEBUG", "1")
    os.environ["TASK_BACKEND"] = tasks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    logging.disable(logging.INFO)
