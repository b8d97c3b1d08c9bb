"""The deviations app's background jobs: import, re-tagging and retention."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from deviations.imports import (
    ImportFileError,
    deviations_import,
    export_file,
    export_queryset,
    export_rows,
    read_rows,
)
from deviations.jobs import JobFailed, Progress, job_runner
from deviations.models import Deviation, Job
from deviations.retention import retention_apply
from deviations.services import RetagReport, deviations_retag


@job_runner(Job.Kind.IMPORT)
def import_run(job: Job, progress: Progress) -> dict[str, Any]:
    """All rows or none; a second run of the same file finds every row already there."""
    progress.step(_("Reading the file"))
    try:
        rows = read_rows(io.BytesIO(bytes(job.input or b"")), filename=job.input_name)
    except ImportFileError as error:
        raise JobFailed(str(error), retryable=False) from None
    report = deviations_import(rows=rows, by=job.created_by, progress=progress)
    if not report.ok:
        raise JobFailed(
            _("%(n)d problem(s) in the file; nothing was imported. Correct them and upload again.")
            % {"n": len(report.errors)},
            result=report.as_dict(),
            retryable=False,
        )
    return report.as_dict()


@job_runner(Job.Kind.RETAG)
def retag_run(job: Job, progress: Progress) -> dict[str, Any]:
    """Batches commit one by one, and a second run leaves the first run's work as it is."""
    deviations = Deviation.objects.order_by("pk").prefetch_related("taggings")
    if since := job.params.get("since"):
        deviations = deviations.filter(occurred_on__gte=date.fromisoformat(since))
    batch_size = int(job.params.get("batch_size", 500))
    progress.step(_("Tagging deviations"), deviations.count())
    done = 0

    def advance(report: RetagReport) -> None:
        nonlocal done
        progress.advance(report.deviations - done)
        done = report.deviations

    report = deviations_retag(
        deviations=deviations.iterator(chunk_size=batch_size),
        batch_size=batch_size,
        progress=advance,
    )
    return {
        "deviations": report.deviations,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "kept": report.kept,
    }


@job_runner(Job.Kind.RETENTION)
def retention_run(job: Job, progress: Progress) -> dict[str, Any]:
    progress.step(_("Removing free text past the retention period"))
    report = retention_apply(days=job.params.get("days"))
    return {
        "cutoff": report.cutoff.isoformat(),
        "deviations": report.deviations,
        "history_rows": report.history_rows,
        "drafts": report.drafts,
        "job_files": report.job_files,
        "jobs": report.jobs,
    }


@job_runner(Job.Kind.EXPORT)
def export_run(job: Job, progress: Progress) -> dict[str, Any]:
    """A large filtered list as CSV or Excel, as the person who asked may see it."""
    if job.created_by is None:
        raise JobFailed(_("The person who asked for this export is gone."), retryable=False)
    params = QueryDict(mutable=True)
    for name, values in (job.params.get("query") or {}).items():
        params.setlist(name, values)
    deviations = export_queryset(user=job.created_by, params=params)
    progress.step(_("Writing deviations"), deviations.count())

    def counted() -> Iterator[Deviation]:
        for deviation in deviations.iterator(chunk_size=2000):
            progress.advance()
            yield deviation

    kind = "xlsx" if job.params.get("format") == "xlsx" else "csv"
    content, name, _type = export_file(export_rows(counted()), kind, "avvikelser")
    job.output, job.output_name = content, name
    job.save(update_fields=["output", "output_name"])
    return {"deviations": job.done, "bytes": len(content)}
