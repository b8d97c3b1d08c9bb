"""Background jobs: long work run by Django's tasks framework, with progress people can watch.

A job is a `Job` row (what to do, how far it got, how it ended) plus one Django task that only
carries the row's id. Each app registers its kinds with `@job_kind(...)` (jobs.registry) from
its `ready()`; this module never imports them, the registry finds them when a job runs. The
task backend is a setting: the database worker from django-tasks-db in production, Django's
immediate backend in tests and `make run`, where the job then runs inside the request that
started it.

Running a job twice is harmless: a job is claimed (queued → running) under a row lock, so a
task delivered twice runs once, and every runner is idempotent, so "run again" after a
failure continues without duplicating anything.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Length, Substr
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from core.downloads import export_file
from core.errors import DomainError, PersonalDataError, StateError
from core.log_context import job_context
from core.metrics import job_finished, measured
from jobs.models import Job, JobInput
from jobs.registry import DEFAULT_KEEP_DAYS, job_kind_get, job_kinds
from privacy.gate import personal_data_check

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

logger = logging.getLogger(__name__)


class JobFailed(DomainError):  # noqa: N818 - a refusal the user reads, like DomainError
    """A runner's own reason to stop, shown to the user as it is. `retryable=False` when
    running it again cannot help (a bad file); `result` keeps what the user needs to fix it."""

    code = "job_failed"

    def __init__(
        self, message: str, *, result: dict[str, Any] | None = None, retryable: bool = True
    ) -> None:
        super().__init__(message)
        self.result = result or {}
        self.retryable = retryable


class Progress:
    """A job's counts, written to its row at most twice a second so tight loops stay cheap.

    Runners report outside their own transactions (validate, then write in one go), or the
    figures would only become visible at the commit.
    """

    def __init__(self, job: Job, *, echo: Callable[[Job], None] | None = None) -> None:
        self.job = job
        self.echo = echo
        self._written = 0.0

    def step(self, name: str, total: int | None = None) -> None:
        if self.job.step and self.job.total:
            self._write(force=True)  # the finished step's last figures, e.g. 10/10
        now = timezone.now()
        self.job.step, self.job.total, self.job.done = name[:200], total, 0
        self.job.step_started_at = now
        self._write(force=True)

    def advance(self, count: int = 1) -> None:
        self.job.done += count
        self._write()

    def _write(self, *, force: bool = False) -> None:
        clock = time.monotonic()
        if not force and clock - self._written < 0.5:
            return
        self._written = clock
        self.job.progressed_at = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            step=self.job.step,
            total=self.job.total,
            done=self.job.done,
            step_started_at=self.job.step_started_at,
            progressed_at=self.job.progressed_at,
        )
        if self.echo:
            self.echo(self.job)


def job_enqueue(
    *,
    kind: str,
    by: User | None = None,
    params: dict[str, Any] | None = None,
    input: bytes | None = None,  # noqa: A002 - the job's input file
    input_name: str = "",
    dedupe_key: str = "",
    backoff: timedelta | None = None,
) -> Job:
    """Record a job and hand it to the task backend. With a dedupe key, a job already queued or
    running under that key is returned instead of a second one, and with `backoff` also one
    that failed that recently (automatic work must not retry a failure on every page view)."""
    if job_kind_get(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}")
    job_input_name_check(input_name)
    active = _active(dedupe_key) if dedupe_key else None
    if active is not None and active.status == Job.Status.RUNNING and jobs_reap():
        active = _active(dedupe_key)  # it may have been abandoned by its worker
    if active is not None:
        return active
    if dedupe_key and backoff:
        failed = (
            Job.objects.filter(
                dedupe_key=dedupe_key,
                status=Job.Status.FAILED,
                finished_at__gte=timezone.now() - backoff,
            )
            .defer("output")
            .first()
        )
        if failed is not None:
            return failed
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                created_by=by,
                params=params or {},
                input_name=input_name[:200],
                dedupe_key=dedupe_key[:200],
            )
            if input is not None:
                JobInput.objects.create(job=job, content=input)
    except IntegrityError:  # another process queued the same work a moment ago
        if active := _active(dedupe_key):
            return active
        raise
    _dispatch(job)
    return _fresh(job)


def job_input_name_check(name: str) -> None:
    """Refuse an upload whose file name holds personal data (a file named after someone's
    personnummer): the name is shown on the job's page and in the job list. Refused rather than
    dropped, so the person learns to name such files differently; nothing is stored."""
    personal_data_check({_("file name"): name})


def _fresh(job: Job) -> Job:
    """The job as stored now, without reading its files back into memory."""
    return Job.objects.select_related("created_by").defer("output").get(pk=job.pk)


def jobs_reap() -> int:
    """Fail running jobs that have shown no sign of life for JOB_STALE_MINUTES: their worker
    was stopped or died. Without this an abandoned job would hold its dedupe key for ever
    (no knot recomputation again) and its page would say "running" for ever."""
    minutes = getattr(settings, "JOB_STALE_MINUTES", 30)
    cutoff = timezone.now() - timedelta(minutes=minutes)
    running = Job.objects.filter(status=Job.Status.RUNNING)
    silent = running.filter(progressed_at__lt=cutoff)
    # The database worker also records when a task has ended; a job still "running" after its
    # task ended was cut off (the worker was killed) and need not wait for the silence.
    ended = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    ).values_list("id", flat=True)
    cut_off = running.filter(
        task_id__in=[
            str(i)
            for i in ended.filter(
                id__in=_uuids(running.exclude(task_id="").values_list("task_id", flat=True))
            )
        ]
    )
    reason = _(
        "The job stopped showing progress for %(minutes)d minutes: its worker was stopped "
        "or restarted. Run it again; nothing already done is done twice."
    ) % {"minutes": minutes}
    fields = {"status": Job.Status.FAILED, "finished_at": timezone.now()}
    return silent.update(error=reason, **fields) + cut_off.update(
        error=_(
            "Its worker stopped while running it. Run it again; nothing already done is done twice."
        ),
        **fields,
    )


# Files kept on finished jobs hold free text. A job's output (a report, a dossier PDF with
# examples) stays a month for downloading; its input (an import file) only while running it
# again can help: it goes when the job succeeds or fails for good, else after a week.
JOB_FILE_DAYS = 30
JOB_RETRY_DAYS = 7


def jobs_prune() -> tuple[int, int]:
    """Drop old jobs' files, then finished jobs older than their kind keeps them (a log, not a
    record: knot recomputations go after a day). Returns (jobs whose files went, jobs deleted)."""
    now = timezone.now()
    finished = Job.objects.exclude(status__in=Job.ACTIVE)
    inputs = set(
        JobInput.objects.filter(
            job__in=finished.filter(finished_at__lt=now - timedelta(days=JOB_RETRY_DAYS))
        ).values_list("pk", flat=True)
    )
    outputs = set(
        finished.filter(
            finished_at__lt=now - timedelta(days=JOB_FILE_DAYS), output__isnull=False
        ).values_list("pk", flat=True)
    )
    JobInput.objects.filter(pk__in=inputs).delete()
    Job.objects.filter(pk__in=outputs).update(output=None, output_name="")
    files = len(inputs | outputs)
    by_kind = Q()
    for kind in job_kinds():
        by_kind |= Q(kind=kind.name, finished_at__lt=now - timedelta(days=kind.keep_days))
    unregistered = ~Q(kind__in=[kind.name for kind in job_kinds()])
    expired = by_kind | (unregistered & Q(finished_at__lt=now - timedelta(days=DEFAULT_KEEP_DAYS)))
    deleted, _by_model = finished.filter(expired).delete()
    return files, deleted


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:  # an id from another backend (the immediate one)
            continue
    return found


def _active(dedupe_key: str) -> Job | None:
    return Job.objects.filter(dedupe_key=dedupe_key, status__in=Job.ACTIVE).first()


def _dispatch(job: Job) -> None:
    # Inside the caller's transaction: with the database backend the task row commits (or not)
    # together with the job row, so a worker never sees one without the other.
    try:
        result = job_task.enqueue(job.pk)
    except Exception:  # the backend refused it: a failed job says so instead of waiting
        logger.exception("job %s could not be queued", job.key)
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error=_("The job could not be handed to the task worker. Run it again."),
        )
        return
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])


def job_retry(*, job: Job, by: User | None) -> Job:
    """Queue a failed job again, same input; the runners are idempotent."""
    if job.status != Job.Status.FAILED:
        raise StateError(_("Only a failed job can be run again."), code="not_failed")
    if not job_can_retry(job):
        raise DomainError(
            _(
                "Running this job again cannot help, or its file is no longer kept: upload the "
                "file again."
            ),
            code="not_retryable",
        )
    if job.dedupe_key and (active := _active(job.dedupe_key)):
        return active
    try:
        with transaction.atomic():
            # Only from failed: a double click (or two callers) queues it once.
            queued = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
                status=Job.Status.QUEUED, error="", finished_at=None, task_id="", step="", done=0
            )
    except IntegrityError:  # the same work was queued under its dedupe key meanwhile
        return _active(job.dedupe_key) or _fresh(job)
    if not queued:
        raise StateError(_("Only a failed job can be run again."), code="not_failed")
    logger.info("job %s queued again by %s", job.key, by)
    _dispatch(job)
    return _fresh(job)


def job_can_retry(job: Job) -> bool:
    """Failed for a reason a second run may get past, and the input it needs still kept."""
    if job.status != Job.Status.FAILED or not job.result.get("retryable", True):
        return False
    kind = job_kind_get(job.kind)
    if kind is not None and kind.needs_input:
        return JobInput.objects.filter(pk=job.pk, content__isnull=False).exists()
    return True


def job_may_retry(*, user: User, job: Job) -> bool:
    """Who may run a failed job again: whoever started it, and the change_job permission
    (analysts, administrators) except for maintenance jobs, which need add_job."""
    if job.created_by_id == user.pk:
        return True
    kind = job_kind_get(job.kind)
    needed = "jobs.add_job" if kind and kind.maintenance else "jobs.change_job"
    return user.has_perm(needed)


@task()
def job_task(job_id: int) -> None:
    """The one Django task: run the job with this id."""
    job_execute(job_id)


def job_execute(job_id: int, *, echo: Callable[[Job], None] | None = None) -> Job:
    """Claim a queued job and run it to success or failure; a job not queued is left alone,
    so a task delivered twice runs once."""
    with transaction.atomic():
        # Not its file: a runner reads its input in pieces (job_input_open).
        job = Job.objects.select_for_update().filter(pk=job_id).defer("output").first()
        if job is None or job.status != Job.Status.QUEUED:
            return job  # type: ignore[return-value]
        now = timezone.now()
        job.status, job.started_at, job.progressed_at = Job.Status.RUNNING, now, now
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "progressed_at", "attempts"])
    kind = job_kind_get(job.kind)
    progress = Progress(job, echo=echo)
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    # The job's log lines carry its id (core.log_context); its queries count as its kind's.
    with job_context(job.pk), measured(f"job:{job.kind}"):
        try:
            if kind is None:
                raise JobFailed(_("This kind of job cannot run here."))
            result = kind.runner(job, progress)
        except JobFailed as error:
            result = {**error.result, "retryable": error.retryable}
            return _finish(job, status=Job.Status.FAILED, error=error.message, result=result)
        except PersonalDataError as error:  # the same input meets the same refusal
            return _finish(
                job, status=Job.Status.FAILED, error=error.message, result={"retryable": False}
            )
        except DomainError as error:
            return _finish(job, status=Job.Status.FAILED, error=error.message)
        except Exception as error:
            logger.exception("job %s (%s) failed", job.key, job.kind)
            reason = _(
                "It stopped on an unexpected error (%(error)s). Nothing is lost; run it again."
            )
            return _finish(
                job, status=Job.Status.FAILED, error=reason % {"error": type(error).__name__}
            )
        except BaseException:  # the worker is being stopped (SystemExit, KeyboardInterrupt)
            _finish(
                job,
                status=Job.Status.FAILED,
                error=_(
                    "Its worker stopped while running it. Run it again; nothing already done is "
                    "done twice."
                ),
            )
            raise
        finally:
            heartbeat.stop()
    if job.total is not None:
        job.done = job.total
    job = _finish(job, status=Job.Status.SUCCEEDED, result=result)
    if echo:
        echo(job)
    return job


class _Heartbeat(threading.Thread):
    """Marks a running job alive every minute, also during steps that cannot count (one long
    transaction, a PDF), so the reaper only fails jobs whose worker is really gone."""

    def __init__(self, job_id: int, every: float = 60.0) -> None:
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.job_id, self.every = job_id, every
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                with contextlib.suppress(DatabaseError):  # e.g. SQLite busy with the job itself
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                        progressed_at=timezone.now()
                    )
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self._stopped.set()


def _finish(job: Job, *, status: str, result: dict[str, Any] | None = None, error: str = "") -> Job:
    """Record the outcome, unless the job was meanwhile reaped and queued again: a late
    finish must not overwrite the newer attempt."""
    result, error = _gated(result or {}, error)
    job.status, job.error, job.finished_at = status, error, timezone.now()
    job.result = result
    values: dict[str, Any] = {
        "status": status,
        "error": error,
        "finished_at": job.finished_at,
        "result": job.result,
        "done": job.done,
        "total": job.total,
        "step": job.step,
    }
    mine = Job.objects.filter(pk=job.pk, attempts=job.attempts).exclude(status=Job.Status.QUEUED)
    if not mine.update(**values):
        logger.warning("job %s finished after it was queued again; outcome not recorded", job.key)
        return job
    seconds = (job.finished_at - job.started_at).total_seconds() if job.started_at else None
    job_finished(job.kind, status, seconds)
    if status == Job.Status.SUCCEEDED or not job.result.get("retryable", True):
        # The input (an import file holds free text, perhaps personal data it was refused
        # for) is kept only while a retry may need it.
        JobInput.objects.filter(pk=job.pk).delete()
    return job


def _gated(result: dict[str, Any], error: str) -> tuple[dict[str, Any], str]:
    """A job's result and reason through the personal-data gate before they are written: a
    runner that quoted a value it should not have loses its result, never leaks it."""
    try:
        personal_data_check({"result": result, "error": error})
    except PersonalDataError:
        logger.warning("a job's result held personal data and was not kept")
        return {"retryable": result.get("retryable", True)}, _(
            "The job's result held personal data and was not kept."
        )
    return result, error


def job_output_save(*, job: Job, rows: Iterable[list[str]], kind: str, name: str) -> int:
    """Write a job's file (CSV or Excel from rows, the first the header), every row through the
    personal-data gate first; returns its size. A refused row stops it: nothing is written."""

    def gated() -> Iterator[list[str]]:
        for number, row in enumerate(rows, start=1):
            try:
                personal_data_check({"row": [str(cell) for cell in row]})
            except PersonalDataError:
                raise PersonalDataError(
                    _("Row %(row)d of the job's file would hold personal data; it was not made.")
                    % {"row": number},
                    code="personal_data",
                ) from None
            yield row

    content, filename, _type = export_file(gated(), kind, name)
    personal_data_check({_("file name"): filename})
    job.output, job.output_name = content, filename
    Job.objects.filter(pk=job.pk).update(output=content, output_name=filename)
    return len(content)


def job_input_open(job: Job) -> io.BufferedReader:
    """The job's input file, read from the database in pieces as it is read (seekable), so a
    worker never holds it whole: 50 MB stored is not 50 MB (or, hex-coded, 150 MB) in memory."""
    size = (
        JobInput.objects.filter(pk=job.pk)
        .annotate(size=Coalesce(Length("content"), 0))
        .values_list("size", flat=True)
        .first()
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the blob handle wants SQLite's own row id
            cursor.execute('SELECT rowid FROM "jobs_jobinput" WHERE job_id = %s', [job.pk])
            found = cursor.fetchone()
        read = partial(_sqlite_piece, found[0]) if found else _nothing
    else:
        read = partial(_substr_piece, job.pk)
    return io.BufferedReader(_StoredInput(read, size or 0), buffer_size=_PIECE)


_PIECE = 2**20


class _StoredInput(io.RawIOBase):
    def __init__(self, read: Callable[[int, int], bytes], size: int) -> None:
        self._read, self._size, self._position = read, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self._size - self._position)
        if wanted <= 0:
            return 0
        piece = self._read(self._position, wanted)
        buffer[: len(piece)] = piece
        self._position += len(piece)
        return len(piece)


def _sqlite_piece(rowid: int, start: int, size: int) -> bytes:
    """SQLite's substr() would load the whole value for every piece; a blob handle reads only
    the piece (opened per piece: a handle does not outlive a write to its row)."""
    connection.ensure_connection()
    table = JobInput._meta.db_table
    with connection.connection.blobopen(table, "content", rowid, readonly=True) as blob:
        blob.seek(start)
        return blob.read(size)


def _substr_piece(pk: int, start: int, size: int) -> bytes:
    piece = (
        JobInput.objects.filter(pk=pk)
        .annotate(piece=Substr("content", start + 1, size))
        .values_list("piece", flat=True)
        .first()
    )
    return bytes(piece or b"")


def _nothing(start: int, size: int) -> bytes:
    return b""


# --- Reading a job ----------------------------------------------------------------------------


def job_time_left(job: Job) -> timedelta | None:
    """From the pace of the current step; None until there is a pace to go by."""
    if job.status != Job.Status.RUNNING or not job.total or not job.done:
        return None
    if job.step_started_at is None or job.progressed_at is None:
        return None
    spent = (job.progressed_at - job.step_started_at).total_seconds()
    if spent <= 0:
        return None
    return timedelta(seconds=round(spent / job.done * (job.total - job.done)))


def job_state(job: Job) -> dict[str, Any]:
    """What the progress bar needs, as JSON-ready values."""
    left = job_time_left(job)
    percent = round(100 * job.done / job.total) if job.total else None
    return {
        "key": str(job.key),
        "kind": job.kind,
        "status": job.status,
        "status_label": job.get_status_display(),
        "step": job.step,
        "done": job.done,
        "total": job.total,
        "percent": 100 if job.status == Job.Status.SUCCEEDED else percent,
        "seconds_left": int(left.total_seconds()) if left is not None else None,
        "error": job.error,
        "finished": job.finished,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


class ConsoleProgress:
    """A progress line on the command line: step, bar, counts and time left. Each step ends
    with a newline, so a finished run leaves one line per step."""

    def __init__(self, write: Callable[[str], None], *, width: int = 30) -> None:
        self.write = write
        self.width = width
        self._step = ""
        self._last = ""

    def __call__(self, job: Job) -> None:
        if job.total:
            filled = round(self.width * min(job.done, job.total) / job.total)
            bar = "#" * filled + "-" * (self.width - filled)
            left = job_time_left(job)
            eta = f", {_('time left')} {left}" if left is not None else ""
            line = f"{job.step}: [{bar}] {job.done}/{job.total}{eta}"
        else:
            line = f"{job.step}…"
        if line == self._last:
            return
        if self._step and job.step != self._step:
            self.write("\n")
        self.write(f"\r{line:<90}")
        self._step, self._last = job.step, line

    def close(self) -> None:
        if self._last:
            self.write("\n")


def job_run_here(
    *,
    kind: str,
    by: User | None = None,
    params: dict[str, Any] | None = None,
    input: bytes | None = None,  # noqa: A002
    input_name: str = "",
    echo: Callable[[Job], None] | None = None,
) -> Job:
    """For management commands: record the job and run it in this process, showing progress;
    it appears in the job list like any other."""
    job_input_name_check(input_name)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, created_by=by, params=params or {}, input_name=input_name[:200]
        )
        if input is not None:
            JobInput.objects.create(job=job, content=input)
    return job_execute(job.pk, echo=echo)
