"""`python manage.py worker`: django-tasks-db's `db_worker` with a heartbeat.

The same options and the same work; while it runs it writes a sign of life every few seconds
(jobs.heartbeat), which `/healthz/ready` and the jobs page read, and a graceful stop removes it
at once. Deployments run this instead of `db_worker` (deploy/systemd, deploy/stack.py).
"""

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from jobs.heartbeat import HeartbeatThread, heartbeat_end


class Command(DatabaseWorkerCommand):
    help = "Run the task worker, with a heartbeat the readiness check reads."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = str(options["worker_id"])
        beat = HeartbeatThread(worker_id)
        beat.start()
        try:
            super().handle(*args, **options)
        finally:
            beat.stop()
            heartbeat_end(worker_id)
