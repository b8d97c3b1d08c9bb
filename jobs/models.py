"""A background job: what to do, how far it got and how it ended."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jobs.registry import KIND_MAX_LENGTH, job_kind_label


class Job(models.Model):
    """Long work done by the task worker (or inline), with progress people can watch.

    The Django task only carries the job's id; what to do, how far it got and how it ended live
    here, so any process on any machine can show it and a failed job can be run again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("done")
        FAILED = "failed", _("failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH)  # a kind an app registered
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    input_name = models.CharField(_("file name"), max_length=200, blank=True)
    # Only one queued or running job per key, e.g. one knot recomputation at a time.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, blank=True)
    step = models.CharField(_("step"), max_length=200, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    output_name = models.CharField(_("output file name"), max_length=200, blank=True)
    output = models.BinaryField(_("output file"), null=True, blank=True, editable=False)
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    step_started_at = models.DateTimeField(_("step started"), null=True, blank=True)
    progressed_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        # The table and its constraint keep the names they had when jobs lived in deviations,
        # so moving the model changed nothing in any database.
        db_table = "deviations_job"
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="deviations_job_one_active_per_dedupe_key",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["status", "progressed_at"]),  # the reaper's question
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.key}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", kwargs={"key": self.key})

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def kind_label(self) -> str:
        """The kind's name for people, as its app registered it."""
        return job_kind_label(self.kind)


class JobInput(models.Model):
    """A job's input file (an import), in a row of its own.

    A running job's row is updated twice a second with its progress, and SQLite rewrites a whole
    row on every update: with the file in it, each update copied a 50 MB upload in memory twice.
    The row goes when the file is no longer needed (jobs.services: success, a failure no retry
    can mend, or the end of the retry window).
    """

    job = models.OneToOneField(
        Job,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="input_file",
        verbose_name=_("job"),
    )
    content = models.BinaryField(_("input file"), null=True, blank=True, editable=False)

    class Meta:
        db_table = "jobs_jobinput"  # named in jobs.services (SQLite's blob handle)
        verbose_name = _("job input file")
        verbose_name_plural = _("job input files")

    def __str__(self) -> str:
        return str(self.job)


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life, written every few seconds while it runs (jobs.heartbeat),
    so the readiness check and the jobs page can tell that jobs will be picked up."""

    worker_id = models.CharField(_("worker"), max_length=200, unique=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    pid = models.PositiveIntegerField(_("process"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return self.worker_id
