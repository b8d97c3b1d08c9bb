"""gunicorn settings every Knutpunkt app instance uses (`gunicorn -c deploy/gunicorn_conf.py`).

The metrics (core/metrics.py) are counted in each worker process; with PROMETHEUS_MULTIPROC_DIR
set, prometheus_client keeps them in files there and `/metrics` sums them. The directory must
be empty when the instance starts (systemd's RuntimeDirectory, or deploy/stack.py, gives each
instance a fresh one), and a worker that exits is marked dead so its gauges drop out while its
counts stay in the sums.
"""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
