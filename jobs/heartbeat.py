"""Is a task worker alive? Each worker beats every HEARTBEAT_SECONDS; one not heard from for
WORKER_SILENT is gone. The readiness check (core.views.healthz_ready) and the jobs page read it.

Only the database task backend has workers; with the immediate backend (tests, `make run`
without a worker) jobs run in the request and there is nothing to wait for.
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from jobs.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 20
# A worker not heard from for this long is gone: three missed beats, so that stopping the
# worker turns the readiness check red well within two minutes.
WORKER_SILENT = timedelta(seconds=3 * HEARTBEAT_SECONDS + 10)


def workers_needed() -> bool:
    """Whether jobs wait for a separate worker process (the database task backend)."""
    return str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db.")


def heartbeat_beat(worker_id: str, *, started_at: datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:200],
        defaults={
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )


def heartbeat_end(worker_id: str) -> None:
    """A worker that stops on purpose says so, so nobody waits for its silence."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id[:200]).delete()


def last_worker_seen() -> datetime | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def worker_alive(now: datetime | None = None) -> bool:
    seen = last_worker_seen()
    return seen is not None and (now or timezone.now()) - seen <= WORKER_SILENT


class HeartbeatThread(threading.Thread):
    """Beats for the worker process it runs in, on its own database connection, until
    stopped; a failed beat is tried again at the next one (the database may be restarting)."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{worker_id}")
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                close_old_connections()
                heartbeat_beat(self.worker_id, started_at=self.started_at)
            except Exception:  # noqa: BLE001 - never let the beat kill the worker
                connection.close()
            self._stop_event.wait(HEARTBEAT_SECONDS)
        connection.close()

    def stop(self) -> None:
        self._stop_event.set()
