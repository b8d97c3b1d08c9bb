"""`python manage.py worker`: django-tasks-db's `db_worker` with a heartbeat.

The same options and the same work; while it runs it writes a sign of life every few seconds
(jobs.heartbeat), which `/healthz/ready` and the jobs page read, and a graceful stop removes it
at once. Deployments run this instead of `db_worker` (deploy/systemd, deploy/stack.py).

With `--metrics-port`, the jobs it ran (durations and outcomes per kind, their database
queries, knot recomputations) are served in Prometheus' format on that port of
`--metrics-address` (loopback unless told otherwise): the web instances' `/metrics` cannot
read another process's counters, and the queue itself is read from the database there.
"""

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from jobs.heartbeat import HeartbeatThread, heartbeat_end


class Command(DatabaseWorkerCommand):
    help = "Run the task worker, with a heartbeat the readiness check reads."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--metrics-port", type=int, default=0, help="serve this worker's metrics (0: off)"
        )
        parser.add_argument("--metrics-address", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = str(options["worker_id"])
        if options["metrics_port"]:
            from prometheus_client import start_http_server

            start_http_server(options["metrics_port"], addr=options["metrics_address"])
        beat = HeartbeatThread(worker_id)
        beat.start()
        try:
            super().handle(*args, **options)
        finally:
            beat.stop()
            heartbeat_end(worker_id)
