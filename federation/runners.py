"""The federation's background work: fetching a round's answers from the sites, and telling
the contributing sites where a national barrier stands after each change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deviations.models import User
from federation.identity import DirectoryError, Identity, identity_load
from federation.models import NationalBarrier, Round
from federation.national import round_pull
from federation.notices import notices_publish
from jobs.models import Job
from jobs.registry import job_kind
from jobs.services import JobFailed, Progress, job_enqueue

PULL_JOB = "federation_pull"
NOTICES_JOB = "national_notices"


def _identity() -> Identity:
    try:
        return identity_load(settings.FEDERATION_IDENTITY_FILE)
    except DirectoryError:
        raise JobFailed(
            _("This instance has no federation identity; see docs/federation.md."),
            retryable=False,
        ) from None


def _pull_labels() -> dict[str, str]:
    return {"stage": _("Stage reached"), "missing": _("Sites that did not answer")}


@job_kind(PULL_JOB, gettext_lazy("Fetch a national round's answers"), result_labels=_pull_labels)
def pull_run(job: Job, progress: Progress) -> dict[str, Any]:
    national = Round.objects.filter(key=job.params.get("round", "")).first()
    if national is None:
        raise JobFailed(_("The round is gone."), retryable=False)
    progress.step(_("Fetching the answers from the sites"))
    problems = round_pull(national, identity=_identity())
    national.refresh_from_db()
    missing = "; ".join(
        f"{peer}: {problems[peer.name]}" for peer in national.peers.filter(name__in=problems)
    )
    return {"stage": national.get_stage_display(), "missing": missing or "–"}


def _notice_labels() -> dict[str, str]:
    return {"sites": _("Sites told"), "missing": _("Sites not reached")}


@job_kind(
    NOTICES_JOB,
    gettext_lazy("Tell the sites about a national barrier"),
    result_labels=_notice_labels,
)
def notices_run(job: Job, progress: Progress) -> dict[str, Any]:
    national = NationalBarrier.objects.filter(pk=job.params.get("national_barrier")).first()
    if national is None:
        raise JobFailed(_("The national barrier is gone."), retryable=False)
    progress.step(_("Sending the barrier to the contributing sites"))
    delivery = notices_publish(national, identity=_identity())
    missing = "; ".join(f"{name}: {why}" for name, why in sorted(delivery.items()) if why)
    return {"sites": sum(1 for why in delivery.values() if not why), "missing": missing or "–"}


def pull_enqueue(round_key: str, *, by: User | None) -> Job:
    """One fetching per round at a time."""
    return job_enqueue(
        kind=PULL_JOB, by=by, params={"round": round_key}, dedupe_key=f"{PULL_JOB}:{round_key}"
    )


def notices_enqueue(national_barrier_id: int, *, by: User | None = None) -> Job:
    """One sending per barrier at a time; it reads the barrier as it stands when it runs."""
    return job_enqueue(
        kind=NOTICES_JOB,
        by=by,
        params={"national_barrier": national_barrier_id},
        dedupe_key=f"{NOTICES_JOB}:{national_barrier_id}",
    )


def notices_publish_later(national_barrier_id: int) -> None:
    """After the transaction that changed the barrier, so the job reads the change."""
    transaction.on_commit(lambda: notices_enqueue(national_barrier_id))
