"""Job kinds: each app registers the work it runs in the background, from its `ready()`.

The jobs app names no app above it: a kind brings its label, its runner, who may start or rerun
it, how long its finished jobs are kept, and how its result is shown on the job's page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

# runner(job, progress) -> result: a jobs.models.Job and a jobs.services.Progress. Typed loosely
# because the model reads its kind's label from here, and this module imports neither.
Runner = Callable[[Any, Any], dict[str, Any]]
DEFAULT_KEEP_DAYS = 90
KIND_MAX_LENGTH = 16  # jobs.models.Job.kind


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    runner: Runner
    # Maintenance work (its parameters decided by an administrator): started from the job
    # list and rerun only with the add_job permission.
    maintenance: bool = False
    keep_days: int = DEFAULT_KEEP_DAYS  # finished jobs of this kind are deleted after these days
    # Runs on an uploaded file: it cannot run again once the file is gone (jobs_prune).
    needs_input: bool = False
    # Names for the result's keys on the job page; keys without a label are not shown.
    result_labels: Callable[[], Mapping[str, str]] = field(default=lambda: {})
    # A template shown under the progress bar, with `job` and what `result_context` returns.
    result_template: str = ""
    result_context: Callable[[Any], dict[str, Any]] | None = None


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, label: str | Promise, **options: Any) -> Callable[[Runner], Runner]:
    """Register the function that does the work of a job kind (a decorator)."""

    if len(name) > KIND_MAX_LENGTH:  # the job row's column: PostgreSQL refuses a longer one
        raise ValueError(f"job kind {name!r} is longer than {KIND_MAX_LENGTH} characters")

    def register(function: Runner) -> Runner:
        _KINDS[name] = JobKind(name=name, label=label, runner=function, **options)
        return function

    return register


def job_kind_get(name: str) -> JobKind | None:
    return _KINDS.get(name)


def job_kinds() -> list[JobKind]:
    return list(_KINDS.values())


def job_kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name
