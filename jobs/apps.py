from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from core.metrics import scrape_collector
        from core.roles import ADMIN, ANALYST, model_permissions, roles_grant
        from jobs.metrics import jobs_collect
        from jobs.models import Job, WorkerHeartbeat
        from privacy.gate import gate_exempt

        # Jobs are written with update(), never save(), so jobs.services asks the gate itself:
        # the upload's file name (job_enqueue), the result and reason (_finish), every row of a
        # job's file (job_output_save).
        gate_exempt(Job, reason="written with update(); jobs.services gates names, results, files")
        gate_exempt(WorkerHeartbeat, reason="a worker's id, host name and process id, no text")

        scrape_collector(jobs_collect)  # the queue at each /metrics scrape

        # Analysts follow every job and run a failed one again, also one the system started.
        roles_grant(ANALYST, ["jobs.view_job", "jobs.change_job"])
        roles_grant(ADMIN, model_permissions("jobs", ["job"], ["view", "add", "change", "delete"]))
