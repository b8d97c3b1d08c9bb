"""The deviations app's background jobs: import, re-tagging and retention."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.errors import PersonalDataError
from deviations.imports import (
    ImportFileError,
    ImportReport,
    deviations_import,
    export_names_allowed,
    export_queryset,
    export_rows,
    read_rows,
)
from deviations.models import Deviation
from deviations.retention import retention_apply
from deviations.services import RetagReport, deviations_retag
from jobs.models import Job
from jobs.registry import job_kind
from jobs.services import JobFailed, Progress, job_input_open, job_output_save

IMPORT_JOB = "import"
RETAG_JOB = "retag"
RETENTION_JOB = "retention"
EXPORT_JOB = "export"


def _import_result(job: Job) -> dict[str, Any]:
    return {"report": ImportReport.from_dict(job.result)}


def _retag_labels() -> dict[str, str]:
    return {
        "deviations": _("Deviations"),
        "added": _("Suggestions added"),
        "updated": _("Suggestions updated"),
        "removed": _("Suggestions removed"),
        "kept": _("Decisions by people kept"),
    }


def _retention_labels() -> dict[str, str]:
    return {
        "cutoff": _("Free text removed before"),
        "deviations": _("Deviations"),
        "history_rows": _("History rows cleared"),
        "drafts": _("Old drafts deleted"),
        "job_files": _("Old job files removed"),
        "jobs": _("Old finished jobs deleted"),
    }


def _export_labels() -> dict[str, str]:
    return {"deviations": _("Deviations")}


@job_kind(
    IMPORT_JOB,
    gettext_lazy("Import of deviations"),
    result_template="deviations/includes/import_result.html",
    result_context=_import_result,
    needs_input=True,
)
def import_run(job: Job, progress: Progress) -> dict[str, Any]:
    """All rows or none; a second run of the same file finds every row already there.

    A file that cannot be read, or holds personal data, fails for good and its input goes with
    the failure (jobs.services); only a failure while writing (the database) may be retried.
    """
    progress.step(_("Reading the file"))
    with job_input_open(job) as stream:
        try:
            rows = read_rows(stream, filename=job.input_name)
            report = deviations_import(rows=rows, by=job.created_by, progress=progress)
        except ImportFileError as error:
            raise JobFailed(str(error), retryable=False) from None
    if not report.ok:
        # The full report as a file; the messages name rows and columns, never values, and a
        # report the gate refused would simply not be kept.
        with contextlib.suppress(PersonalDataError):
            job_output_save(job=job, rows=report.report_rows(), kind="csv", name=_("import-report"))
        raise JobFailed(
            ngettext(
                "%(n)d problem in the file; nothing was imported. Correct it and upload again.",
                "%(n)d problems in the file; nothing was imported. Correct them and upload again.",
                report.problems,
            )
            % {"n": report.problems},
            result=report.as_dict(),
            retryable=False,
        )
    return report.as_dict()


@job_kind(
    RETAG_JOB,
    gettext_lazy("Re-tagging after a catalogue change"),
    maintenance=True,
    result_labels=_retag_labels,
)
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


@job_kind(
    RETENTION_JOB,
    gettext_lazy("Retention of free text"),
    maintenance=True,
    result_labels=_retention_labels,
)
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


@job_kind(EXPORT_JOB, gettext_lazy("Export of deviations"), result_labels=_export_labels)
def export_run(job: Job, progress: Progress) -> dict[str, Any]:
    """A large filtered list as CSV or Excel, as the person who asked may see it."""
    if job.created_by is None:
        raise JobFailed(_("The person who asked for this export is gone."), retryable=False)
    params = QueryDict(mutable=True)
    for name, values in (job.params.get("query") or {}).items():
        params.setlist(name, values)
    # From the primary, unlike the export in the request (core.replica): the job holds one
    # cursor open for as long as writing every row takes, and on a hot standby a long query is
    # cancelled when replay conflicts with it (max_standby_streaming_delay) — the largest
    # exports, those sent to a job, would fail where the primary serves them.
    deviations = export_queryset(user=job.created_by, params=params)
    progress.step(_("Writing deviations"), deviations.count())

    def counted() -> Iterator[Deviation]:
        for deviation in deviations.iterator(chunk_size=2000):
            progress.advance()
            yield deviation

    kind = "xlsx" if job.params.get("format") == "xlsx" else "csv"
    rows = export_rows(counted(), names_allowed=export_names_allowed(job.created_by))
    size = job_output_save(job=job, rows=rows, kind=kind, name="avvikelser")
    return {"deviations": job.done, "bytes": size}
