"""Management commands that run a background job: here with a progress line, or queued."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from jobs.models import Job
from jobs.services import ConsoleProgress, job_enqueue, job_input_name_check, job_run_here


class JobCommand(BaseCommand):
    """Runs `kind` in this process, drawing its progress on stderr; `--background` queues it
    for the task worker instead and prints where to follow it. Either way it is a Job that the
    web page "Jobb" lists."""

    kind: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the job for the task worker (manage.py worker) and return at once",
        )

    def run_job(
        self,
        options: dict[str, Any],
        *,
        params: dict[str, Any] | None = None,
        input: bytes | None = None,  # noqa: A002
        input_name: str = "",
    ) -> Job | None:
        try:
            # The file's name goes through the personal-data gate first.
            job_input_name_check(input_name)
        except DomainError as refusal:
            raise CommandError(refusal.message) from None
        if options.get("background"):
            job = job_enqueue(kind=self.kind, params=params, input=input, input_name=input_name)
            self.stdout.write(
                f"Queued job {job.key} ({job.get_status_display()}); "
                f"follow it at {job.get_absolute_url()}"
            )
            return None
        console = ConsoleProgress(lambda text: self.stderr.write(text, ending=""))
        job = job_run_here(
            kind=self.kind, params=params, input=input, input_name=input_name, echo=console
        )
        console.close()
        return job

    def fail_unless_done(self, job: Job) -> None:
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(job.error or "The job did not finish.")
