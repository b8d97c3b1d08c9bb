"""Writes for barriers: creation (by hand or from a knot), lifecycle, merge and split, routing and
escalation, decisions, and evidence that keeps accruing.

Every entry point (pages, API, commands) goes through these functions, so the rules (the
lifecycle, reasons for overrides and refusals, the audit history, deviations marked as linked)
hold everywhere. Longer than the ~500 lines of R17 because the lifecycle, escalation and
decision rules refer to one another; notifications, effect checks and route texts are apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from analytics.presentation import knot_key as make_knot_key
from analytics.presentation import knot_sentence, knot_title
from analytics.types import Knot
from barriers.explain import route_summary
from barriers.models import (
    ACTING_KINDS,
    Barrier,
    BarrierEvidence,
    Decision,
    Escalation,
    MandateLevel,
    SteeringGroup,
)
from barriers.notifications import (
    arrival_notify,
    outcome_notify,
    recurrence_notify,
    sent_back_notify,
)
from barriers.routing import BarrierScope, GroupData, Route, agencies_of, infer_mandate, route
from barriers.selectors import barrier_organisations, deviations_matching, tag_concepts
from catalogue.models import Law
from catalogue.tagids import parse_tag_id
from core.errors import DomainError, StateError
from core.history import CREATED, history_copy
from deviations.models import Deviation, GoodPractice, User
from deviations.practices import practice_spread, practices_matching
from deviations.rules import FieldRuleError
from deviations.selectors import COUNTY_PERMISSION, deviation_list

Status = Barrier.Status
EXAMPLES_MAX = 5
MIN_TAGS_TO_ACCRUE = 2  # like a knot: one tag alone would sweep in every deviation citing it


class MandateError(DomainError):
    """The group's mandate does not reach the level the barrier needs."""

    code = "outside_mandate"


class NotAMemberError(DomainError):
    """Only the group's members (or an analyst recording for them) decide for a group."""

    code = "not_group_member"
    http_status = 403


# Moves people make by hand. Escalated, decided and resolved are reached through
# barrier_escalate and decision_record, which record where and what.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.IDENTIFIED: frozenset({Status.ANALYSED, Status.CLOSED}),
    Status.ANALYSED: frozenset({Status.IDENTIFIED, Status.CLOSED}),
    Status.ESCALATED: frozenset({Status.CLOSED}),
    Status.DECIDED: frozenset({Status.IN_ACTION, Status.ANALYSED, Status.CLOSED}),
    Status.IN_ACTION: frozenset({Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.ANALYSED}),  # reopened, e.g. when it recurs
    Status.CLOSED: frozenset({Status.IDENTIFIED}),  # reopened
}
ESCALATABLE = frozenset({Status.ANALYSED, Status.DECIDED})


def _save(obj: models.Model, *, by: User | None, why: str = "") -> None:
    """Validate, then save with the acting person and the reason in the audit history."""
    obj.full_clean()
    if by is not None:
        obj._history_user = by  # type: ignore[attr-defined]
    if why:
        # The history's reason column holds 100 characters; the whole reason stays on the row.
        obj._change_reason = why[:100]  # type: ignore[attr-defined]
    obj.save()


def _check_tags(tags: Iterable[str]) -> list[str]:
    """Valid tag ids (docs/contracts.md §1), sorted and unique."""
    clean = sorted({str(tag).strip() for tag in tags if str(tag).strip()})
    for tag in clean:
        try:
            parse_tag_id(tag)
        except ValueError:
            raise DomainError(
                _("“%(tag)s” is not a valid tag.") % {"tag": tag}, code="invalid_tag"
            ) from None
    return clean


def _check_open(barrier: Barrier) -> None:
    if barrier.merged_into_id is not None:
        raise StateError(
            _("This barrier was merged into “%(target)s”.") % {"target": barrier.merged_into},
            code="barrier_merged",
        )
    if barrier.status == Status.CLOSED:
        raise StateError(_("This barrier is closed; reopen it first."), code="barrier_closed")


def mandate_infer(*, tags: Iterable[str]) -> MandateLevel:
    """The level a change needs, from the laws the tags cite (an act → lag, …); see routing."""
    sfs = {parse_tag_id(tag).sfs for tag in tags if not tag.startswith("agency:")}
    kinds = Law.objects.filter(sfs__in=sfs - {None}).values_list("kind", flat=True)
    return MandateLevel(infer_mandate(kinds))


# --- Evidence ----------------------------------------------------------------------------------


def _link(
    barrier: Barrier, deviations: Iterable[Deviation], *, how: str, by: User | None
) -> list[int]:
    """Add deviations as evidence (skipping ones already there) and mark them as linked.
    Returns the ids of the deviations added."""
    if how not in BarrierEvidence.How.values:
        raise ValueError(f"unknown way of linking evidence: {how!r}")
    # A queryset is read as ids only: a knot's 15,000 deviations are not built as objects.
    wanted = set(
        deviations.values_list("pk", flat=True)
        if isinstance(deviations, models.QuerySet)
        else (d.pk for d in deviations)
    )
    already = barrier.evidence_rows.values_list("deviation_id", flat=True)
    if len(wanted) <= 1000:  # a few (accrual, a hand-picked one): asked by id
        already = already.filter(deviation_id__in=wanted)
    present = set(already) if wanted else set()
    new = sorted(wanted - present)
    if not new:
        return []
    # In the database, a batch at a time, its audit history too (core.history): a knot of
    # 13,000 deviations becomes a barrier in about a second, not a row-by-row save. The one
    # constraint, once per barrier, is what `present` left out, inside the caller's transaction.
    now = timezone.now()
    quote = connection.ops.quote_name
    table = quote(BarrierEvidence._meta.db_table)
    deviations_table = quote(Deviation._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    by_id = by.pk if by is not None else None
    rows: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(new), 5000):
            batch = new[start : start + 5000]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (barrier_id, deviation_id, how, is_example, added_at, "  # noqa: S608 - our table names, values as parameters
                f"added_by_id) SELECT %s, id, %s, %s, %s, %s FROM {deviations_table} "
                f"WHERE id IN ({marks}) RETURNING id",
                [barrier.pk, how, False, stamp, by_id, *batch],
            )
            rows.extend(row[0] for row in cursor.fetchall())
    history_copy(BarrierEvidence, rows, user_id=by_id, reason="", when=now, kind=CREATED)
    _mark_linked(new, by=by)
    return new


def _status_set(
    ids: Sequence[int],
    *,
    status: str,
    by: User | None,
    why: str,
    only_from: Sequence[str] = (),
) -> list[int]:
    """One status for many deviations (those now in `only_from`, when given): one UPDATE …
    RETURNING per batch and their history rows in the database (Django's bulk_update writes a
    CASE per row, seconds for a knot of thousands). Returns the ids that changed."""
    if not ids:
        return []
    now = timezone.now()
    quote = connection.ops.quote_name
    table = quote(Deviation._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    only = f" AND status IN ({', '.join(['%s'] * len(only_from))})" if only_from else ""
    changed: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            batch = list(ids[start : start + 5000])
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET status = %s, updated_at = %s "  # noqa: S608 - our table name, values as parameters
                f"WHERE id IN ({marks}){only} RETURNING id",
                [status, stamp, *batch, *only_from],
            )
            changed.extend(row[0] for row in cursor.fetchall())
    history_copy(Deviation, changed, user_id=by.pk if by else None, reason=why, when=now)
    return changed


def _mark_linked(ids: Sequence[int], *, by: User | None) -> None:
    """Linked is what the reporter sees on "Mina avvikelser"; closed deviations stay closed."""
    _status_set(
        ids,
        status=Deviation.Status.LINKED,
        by=by,
        why="linked to a barrier",
        only_from=(Deviation.Status.SUBMITTED, Deviation.Status.TRIAGED),
    )


def _evidence_status_move(
    barrier: Barrier, *, from_status: str, to_status: str, why: str, by: User | None
) -> int:
    """Move the barrier's evidence deviations from one status to another, so the reporter sees
    it ("Mina avvikelser", the start page). A deviation closes only when every barrier it is
    evidence of is resolved or closed; it reopens when one of them recurs."""
    deviations = list(
        Deviation.objects.filter(barrier_evidence__barrier=barrier, status=from_status).distinct()
    )
    if to_status == Deviation.Status.CLOSED:
        still_open = set(
            BarrierEvidence.objects.filter(deviation__in=deviations, barrier__merged_into=None)
            .exclude(barrier__status__in=(Status.RESOLVED, Status.CLOSED))
            .values_list("deviation_id", flat=True)
        )
        deviations = [d for d in deviations if d.pk not in still_open]
    _status_set([d.pk for d in deviations], status=to_status, by=by, why=why)
    return len(deviations)


@transaction.atomic
def barrier_evidence_add(
    *, barrier: Barrier, deviations: Iterable[Deviation], by: User
) -> list[int]:
    """An analyst adds deviations by hand; each one becomes "linked" for its reporter.
    Returns the ids of those added (none: all were evidence already)."""
    _check_open(barrier)
    rows = _link(barrier, deviations, how=BarrierEvidence.How.MANUAL, by=by)
    escalations_reroute(barrier=barrier, by=by)  # new places can change the route
    return rows


@transaction.atomic
def barrier_evidence_remove(*, barrier: Barrier, deviations: Iterable[Deviation], by: User) -> int:
    """Take deviations out of the evidence; ones no longer linked anywhere go back to triaged."""
    _check_open(barrier)
    ids = [d.pk for d in deviations]
    rows = list(barrier.evidence_rows.filter(deviation_id__in=ids))
    for row in rows:
        row._history_user = by  # type: ignore[attr-defined]
        row.delete()
    unlinked = list(
        Deviation.objects.filter(pk__in=ids, status=Deviation.Status.LINKED).exclude(
            barrier_evidence__isnull=False
        )
    )
    for deviation in unlinked:
        deviation.status = Deviation.Status.TRIAGED
    if unlinked:
        bulk_update_with_history(unlinked, Deviation, ["status"], default_user=by)
    escalations_reroute(barrier=barrier, by=by)
    return len(rows)


@transaction.atomic
def barrier_examples_set(
    *, barrier: Barrier, deviations: Sequence[Deviation], by: User
) -> list[BarrierEvidence]:
    """The analyst's choice of a few anonymised examples for the dossier; replaces the last."""
    if len(deviations) > EXAMPLES_MAX:
        raise DomainError(
            _("Choose at most %(count)d examples.") % {"count": EXAMPLES_MAX},
            code="too_many_examples",
        )
    rows = {row.deviation_id: row for row in barrier.evidence_rows.all()}
    if missing := [d.reference for d in deviations if d.pk not in rows]:
        raise DomainError(
            _("%(refs)s are not evidence of this barrier.") % {"refs": ", ".join(missing)},
            code="not_evidence",
        )
    chosen = {d.pk for d in deviations}
    for pk, row in rows.items():
        if row.is_example != (pk in chosen):
            row.is_example = pk in chosen
            _save(row, by=by)
    return [rows[d.pk] for d in deviations]


# --- Creation and editing ----------------------------------------------------------------------


@transaction.atomic
def barrier_create(
    *,
    by: User,
    title: str,
    description: str = "",
    root_cause: str = "",
    proposed_change: str = "",
    mandate_level: MandateLevel = MandateLevel.LOCAL_ROUTINE,
    tags: Sequence[str] = (),
    analyst: User | None = None,
    deviations: Iterable[Deviation] = (),
    knot_key: str = "",
    how: str = BarrierEvidence.How.MANUAL,
    equality_issue: bool = False,
) -> Barrier:
    """Write up a barrier by hand; the deviations given become its evidence."""
    barrier = Barrier(
        title=title.strip(),
        organisation_id=by.organisation_id,
        county_wide=bool(by.organisation_id and by.has_perm(COUNTY_PERMISSION)),
        description=description,
        root_cause=root_cause,
        proposed_change=proposed_change,
        mandate_level=MandateLevel(mandate_level),
        tags=_check_tags(tags),
        knot_key=knot_key,
        equality_issue=equality_issue,
        analyst=analyst or by,
        created_by=by,
    )
    _save(barrier, by=by)
    _link(barrier, deviations, how=how, by=by)
    return barrier


@transaction.atomic
def barrier_create_from_knot(
    *,
    knot: Knot,
    by: User,
    title: str = "",
    mandate_level: MandateLevel | None = None,
    analyst: User | None = None,
) -> Barrier:
    """A barrier pre-filled from a knot: its labels as title, its sentence as description
    (figures protected: steering groups read it), its tags, its supporting deviations as
    evidence, the mandate level its laws imply, and marked an equality issue when the knot
    hits a group harder (the analyst can take the mark off)."""
    key = make_knot_key(knot.tags)
    existing = Barrier.objects.filter(
        knot_key=key, merged_into__isnull=True, organisation_id=by.organisation_id
    ).exclude(status=Status.CLOSED)
    if first := existing.first():
        raise StateError(
            _("This knot already has a barrier: “%(title)s”.") % {"title": first.title},
            code="knot_has_barrier",
            barrier=first.pk,
        )
    return barrier_create(
        by=by,
        title=(title or knot_title(knot))[:300],
        description=knot_sentence(knot, exact=False),  # steering groups read it
        mandate_level=mandate_level or mandate_infer(tags=knot.version_tags),
        tags=knot.version_tags,  # what the deviations name; evidence accrues by concept
        analyst=analyst,
        # The knot was computed in `by`'s scope; the evidence is kept to it whatever is passed.
        deviations=deviation_list(user=by).filter(reference__in=knot.deviations),
        knot_key=key,
        how=BarrierEvidence.How.KNOT,
        equality_issue=bool(knot.equality and knot.equality.significant),
    )


@transaction.atomic
def barrier_update(
    *,
    barrier: Barrier,
    by: User,
    title: str | None = None,
    description: str | None = None,
    root_cause: str | None = None,
    proposed_change: str | None = None,
    mandate_level: MandateLevel | None = None,
    tags: Sequence[str] | None = None,
    analyst: User | None = None,
    equality_issue: bool | None = None,
) -> Barrier:
    """Edit the write-up (None leaves a field as it is); re-tagging or a new mandate level
    re-evaluates the route of an open escalation."""
    _check_open(barrier)
    values: dict[str, object] = {
        "title": title.strip() if title is not None else None,
        "description": description,
        "root_cause": root_cause,
        "proposed_change": proposed_change,
        "mandate_level": MandateLevel(mandate_level) if mandate_level is not None else None,
        "tags": _check_tags(tags) if tags is not None else None,
        "analyst": analyst,
        "equality_issue": equality_issue,
    }
    changed = {
        name
        for name, value in values.items()
        if value is not None and getattr(barrier, name) != value
    }
    for name in changed:
        setattr(barrier, name, values[name])
    if changed:
        _save(barrier, by=by)
    if changed & {"tags", "mandate_level"}:
        escalations_reroute(barrier=barrier, by=by)
    return barrier


def _withdraw_open(barrier: Barrier, *, by: User | None, reason: str) -> None:
    for escalation in barrier.escalations.filter(status=Escalation.Status.OPEN):
        escalation.status = Escalation.Status.WITHDRAWN
        escalation.withdrawn_reason = reason
        _save(escalation, by=by, why=reason)


@transaction.atomic
def barrier_transition(*, barrier: Barrier, status: str, by: User, reason: str = "") -> Barrier:
    """Move a barrier along its lifecycle by hand; closing needs a reason and withdraws an open
    escalation. Escalating, deciding and resolving go through their own services."""
    if barrier.merged_into_id is not None:
        raise StateError(_("A merged barrier cannot change status."), code="barrier_merged")
    allowed = TRANSITIONS.get(barrier.status, frozenset())
    if status not in allowed:
        raise StateError(
            _("A barrier cannot go from “%(from)s” to “%(to)s”.")
            % {"from": barrier.get_status_display(), "to": _status_label(status)},
            code="invalid_transition",
        )
    if status == Status.IN_ACTION and _last_decision_kind(barrier) not in ACTING_KINDS:
        raise StateError(
            _("Only a decision to act puts a barrier in action."), code="invalid_transition"
        )
    if status == Status.CLOSED:
        if not reason.strip():
            raise DomainError(_("Say why the barrier is closed."), code="reason_required")
        _withdraw_open(barrier, by=by, reason=reason.strip())
        barrier.closed_reason = reason.strip()
    elif barrier.status == Status.CLOSED:
        barrier.closed_reason = ""
    if barrier.status == Status.RESOLVED:
        barrier.recurring, barrier.recurring_since = False, None
    barrier.status = status
    _save(barrier, by=by, why=reason.strip())
    return barrier


def _status_label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status


def _last_decision_kind(barrier: Barrier) -> str | None:
    return (
        Decision.objects.filter(escalation__barrier=barrier)
        .order_by("-decided_at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )


# --- Merge and split ---------------------------------------------------------------------------


@transaction.atomic
def barrier_merge(*, source: Barrier, target: Barrier, by: User, reason: str = "") -> Barrier:
    """Fold a duplicate barrier into another: its evidence moves, it is closed and points to the
    target, and its open escalation is withdrawn. Both histories record the merge."""
    if source.pk == target.pk:
        raise DomainError(_("A barrier cannot be merged into itself."), code="merge_into_self")
    _check_open(target)
    if source.merged_into_id is not None:
        raise StateError(_("This barrier is already merged."), code="barrier_merged")
    why = reason.strip() or _("Merged into “%(target)s”.") % {"target": target.title}
    moved = [row.deviation for row in source.evidence_rows.select_related("deviation")]
    _link(target, moved, how=BarrierEvidence.How.MERGE, by=by)
    for row in source.evidence_rows.all():
        row._history_user = by  # type: ignore[attr-defined]
        row.delete()
    _withdraw_open(source, by=by, reason=why)
    source.merged_into = target
    source.status = Status.CLOSED
    source.closed_reason = why
    _save(source, by=by, why=why)
    _save(target, by=by, why=_("“%(source)s” merged into this.") % {"source": source.title})
    escalations_reroute(barrier=target, by=by)
    return target


@transaction.atomic
def barrier_split(
    *,
    barrier: Barrier,
    deviations: Sequence[Deviation],
    by: User,
    title: str,
    tags: Sequence[str] | None = None,
    mandate_level: MandateLevel | None = None,
) -> Barrier:
    """Move part of the evidence to a new barrier (which remembers where it came from)."""
    _check_open(barrier)
    rows = list(barrier.evidence_rows.filter(deviation__in=deviations))
    if not rows or len(rows) != len({d.pk for d in deviations}):
        raise DomainError(
            _("Choose deviations that are evidence of this barrier."), code="not_evidence"
        )
    if len(rows) == barrier.evidence_rows.count():
        raise DomainError(
            _("At least one deviation must stay with the original barrier."),
            code="split_takes_all",
        )
    new = Barrier(
        title=title.strip(),
        description=barrier.description,
        root_cause=barrier.root_cause,
        proposed_change=barrier.proposed_change,
        mandate_level=MandateLevel(mandate_level or barrier.mandate_level),
        tags=_check_tags(barrier.tags if tags is None else tags),
        analyst=barrier.analyst,
        split_from=barrier,
        created_by=by,
    )
    _save(new, by=by, why=_("Split from “%(title)s”.") % {"title": barrier.title})
    for row in rows:
        row.barrier = new
        row.how = BarrierEvidence.How.SPLIT
        _save(row, by=by)
    _save(barrier, by=by, why=_("“%(title)s” split off.") % {"title": new.title})
    escalations_reroute(barrier=barrier, by=by)
    return new


# --- Routing and escalation --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouteProposal:
    """Where a barrier should go: the group (None only when there are no groups), why, and the
    full route for the dossier (`explain.route_details(route.as_dict())`)."""

    group: SteeringGroup | None
    route: Route
    reason: str


def group_data(groups: Iterable[SteeringGroup]) -> list[GroupData]:
    return [
        GroupData(
            slug=group.slug,
            level=group.level,
            mandate=group.mandate,
            municipalities=frozenset(m.code for m in group.municipalities.all()),
            agencies=frozenset(a.code for a in group.agencies.all()),
            county=group.county,
        )
        for group in groups
    ]


def barrier_scope(barrier: Barrier) -> BarrierScope:
    """The barrier as routing sees it: where its evidence happened, which parties its tags name,
    and the level the change needs."""
    codes = (
        Deviation.objects.filter(barrier_evidence__barrier=barrier)
        .values_list("municipality__code", flat=True)
        .distinct()
    )
    return BarrierScope(
        municipalities=frozenset(codes),
        agencies=agencies_of(barrier.tags),
        mandate=int(barrier.mandate_level),
    )


def barrier_route(*, barrier: Barrier, above: SteeringGroup | None = None) -> RouteProposal:
    """Propose the group that can act (routing.route); `above` routes a forward from a group."""
    groups = list(SteeringGroup.objects.prefetch_related("municipalities", "agencies"))
    data = group_data(groups)
    current = next((g for g in data if above is not None and g.slug == above.slug), None)
    result = route(barrier_scope(barrier), data, above=current)
    by_slug = {group.slug: group for group in groups}
    group = by_slug.get(result.group) if result.group else None
    return RouteProposal(group=group, route=result, reason=route_summary(result.as_dict()))


def _check_due(due_on: date | None, *, field: str = "due_on") -> None:
    """Dates people plan by are today or later; `field` tells the form or API client which."""
    if due_on is None or due_on >= timezone.localdate():
        return
    message = (
        _("The effect check date cannot be in the past.")
        if field == "effect_check_on"
        else _("The due date cannot be in the past.")
    )
    raise DomainError(message, code="due_in_past", field=field)


@transaction.atomic
def barrier_escalate(
    *,
    barrier: Barrier,
    group: SteeringGroup | None,
    due_on: date | None,
    by: User,
    override_reason: str = "",
) -> Escalation:
    """Put the barrier before a steering group: the proposed one (group=None), or another one
    the analyst chose, which needs a reason. The route is stored so it can be explained later."""
    _check_open(barrier)
    if barrier.status not in ESCALATABLE:
        raise StateError(
            _("Only an analysed or decided barrier can be escalated."), code="cannot_escalate"
        )
    if barrier.escalations.filter(status=Escalation.Status.OPEN).exists():
        raise StateError(
            _("This barrier is already before a steering group."), code="already_escalated"
        )
    _check_due(due_on)
    proposal = barrier_route(barrier=barrier)
    chosen = group or proposal.group
    if chosen is None:
        raise DomainError(_("There is no steering group to escalate to."), code="no_group")
    overridden = proposal.group is None or chosen.pk != proposal.group.pk
    if overridden and not override_reason.strip():
        raise DomainError(
            _("Say why the barrier goes to %(group)s rather than the proposed %(proposed)s.")
            % {"group": chosen, "proposed": proposal.group or "-"},
            code="override_reason_required",
        )
    escalation = Escalation(
        barrier=barrier,
        group=chosen,
        proposed_group=proposal.group,
        route=proposal.route.as_dict(),
        route_reason=proposal.reason,
        override_reason=override_reason.strip() if overridden else "",
        due_on=due_on,
        created_by=by,
    )
    _save(escalation, by=by)
    barrier.status = Status.ESCALATED
    _save(barrier, by=by, why=_("Escalated to %(group)s.") % {"group": chosen})
    arrival_notify(escalation=escalation)  # the group is told inside the tool (and by mail)
    return escalation


@transaction.atomic
def escalation_withdraw(*, escalation: Escalation, by: User, reason: str) -> Escalation:
    """Take an open escalation back (e.g. to send it elsewhere); the barrier is analysed again."""
    if escalation.status != Escalation.Status.OPEN:
        raise StateError(_("Only an open escalation can be withdrawn."), code="escalation_closed")
    if not reason.strip():
        raise DomainError(_("Say why the escalation is withdrawn."), code="reason_required")
    escalation.status = Escalation.Status.WITHDRAWN
    escalation.withdrawn_reason = reason.strip()
    _save(escalation, by=by, why=reason.strip())
    barrier = escalation.barrier
    if barrier.status == Status.ESCALATED:
        barrier.status = Status.ANALYSED
        _save(barrier, by=by, why=reason.strip())
    return escalation


@transaction.atomic
def escalations_reroute(*, barrier: Barrier | None = None, by: User | None) -> list[Escalation]:
    """Route open escalations again after a barrier was re-tagged or a group changed (all open
    ones when `barrier` is None). The group keeps the escalation; what changes is the proposal
    and its reason, recorded in the history, so the analyst sees the route no longer holds."""
    open_ = Escalation.objects.filter(status=Escalation.Status.OPEN).select_related(
        "barrier", "forwarded_from__group"
    )
    if barrier is not None:
        open_ = open_.filter(barrier=barrier)
    changed = []
    for escalation in open_:
        above = escalation.forwarded_from.group if escalation.forwarded_from else None
        proposal = barrier_route(barrier=escalation.barrier, above=above)
        new_route = proposal.route.as_dict()
        if new_route == escalation.route:
            continue
        escalation.route = new_route
        escalation.route_reason = proposal.reason
        escalation.proposed_group = proposal.group
        escalation.rerouted_at = timezone.now()
        _save(escalation, by=by, why=_("Route re-evaluated."))
        changed.append(escalation)
    return changed


@transaction.atomic
def steering_group_update(
    *,
    group: SteeringGroup,
    by: User,
    mandate: MandateLevel | None = None,
    level: str | None = None,
    name: str | None = None,
) -> SteeringGroup:
    """Change a group's mandate or level; open escalations are routed again."""
    before = (group.mandate, group.level)
    if mandate is not None:
        group.mandate = MandateLevel(mandate)
    if level is not None:
        group.level = level
    if name is not None:
        group.name = name.strip()
    _save(group, by=by)
    if (group.mandate, group.level) != before:
        escalations_reroute(by=by)
    return group


# --- Decisions ---------------------------------------------------------------------------------


def _check_decider(escalation: Escalation, by: User) -> None:
    if by.is_superuser or by.has_perm("barriers.view_all_barriers"):
        return
    member = escalation.group.members.filter(pk=by.pk).exists()
    if not (member and by.has_perm("barriers.add_decision")):
        raise NotAMemberError(
            _("Only members of %(group)s decide on its escalations.") % {"group": escalation.group}
        )


def _required(**fields: object) -> None:
    missing = [name for name, value in fields.items() if value in (None, "")]
    if missing:
        raise DomainError(
            _("This decision needs: %(fields)s.")
            % {"fields": ", ".join(str(Decision._meta.get_field(n).verbose_name) for n in missing)},
            code="decision_incomplete",
            missing=missing,
        )


def _check_decidable(escalation: Escalation, kind: str) -> None:
    """Open escalations take any decision; a decided one only the later "resolved"."""
    follow_up = (
        kind == Decision.Kind.RESOLVED
        and escalation.status == Escalation.Status.DECIDED
        and escalation.barrier.status in (Status.DECIDED, Status.IN_ACTION)
    )
    if escalation.status != Escalation.Status.OPEN and not follow_up:
        raise StateError(
            _("This escalation has already been dealt with."), code="escalation_closed"
        )


def _check_kind(decision: Decision) -> None:
    """The fields each kind needs (DB constraints back this up with less friendly errors)."""
    kind, group = decision.kind, decision.escalation.group
    if kind == Decision.Kind.ACT:
        _required(
            action=decision.action,
            owner=decision.owner,
            due_on=decision.due_on,
            effect_check_on=decision.effect_check_on,
        )
        barrier = decision.escalation.barrier
        if not group.mandate_covers(barrier.mandate_level):
            raise MandateError(
                _("%(group)s cannot decide on %(level)s; forward it instead.")
                % {"group": group, "level": barrier.get_mandate_level_display()}
            )
    elif kind in (Decision.Kind.FORWARD, Decision.Kind.SEND_BACK, Decision.Kind.REJECT):
        _required(reason=decision.reason)
    elif kind == Decision.Kind.RESOLVED:
        _required(effect_evaluation=decision.effect_evaluation)
    elif kind == Decision.Kind.SPREAD:
        # Like acting within the mandate: what is done, by whom, by when, and when the effect
        # is checked; spreading a practice changes no rule, so any group may decide it.
        _required(
            practice=decision.practice,
            action=decision.action,
            owner=decision.owner,
            due_on=decision.due_on,
            effect_check_on=decision.effect_check_on,
        )
        barrier = decision.escalation.barrier
        if decision.practice not in practices_matching(barrier.tags):
            raise FieldRuleError(
                _("Choose a guldkorn shown beside this barrier."),
                code="practice_not_matching",
                field="practice",
            )
    else:
        raise DomainError(_("Unknown kind of decision."), code="invalid_kind")


@transaction.atomic
def decision_record(
    *,
    escalation: Escalation,
    kind: str,
    by: User,
    text: str = "",
    action: str = "",
    owner: str = "",
    due_on: date | None = None,
    effect_check_on: date | None = None,
    reason: str = "",
    effect_evaluation: str = "",
    forward_to: SteeringGroup | None = None,
    next_due_on: date | None = None,
    send_back_to: str = "",
    practice: GoodPractice | None = None,
) -> Decision:
    """Record what the group decided and move the barrier on.

    act: action, owner, due date and effect check date, within the group's mandate;
    forward: a reason, and a new escalation to the next group up the ladder (or `forward_to`,
    due `next_due_on`); send_back: a reason, and the barrier goes back to the group that
    forwarded it (due `next_due_on`) or, if none did, to the analyst; `send_back_to` chooses
    another group lower on its route by slug, or SEND_BACK_TO_ANALYSTS; reject: a reason;
    resolved: an effect evaluation (also after an earlier decision to act); spread: a guldkorn
    shown beside the barrier, with action, owner, due date and effect check date, and its
    reporter is told. Dates may not be in the past. Everything is checked before anything is
    written.
    """
    _check_decider(escalation, by)
    _check_decidable(escalation, kind)
    decision = Decision(
        escalation=escalation,
        kind=kind,
        text=text.strip(),
        action=action.strip(),
        owner=owner.strip(),
        due_on=due_on,
        effect_check_on=effect_check_on,
        reason=reason.strip(),
        effect_evaluation=effect_evaluation.strip(),
        practice=practice if kind == Decision.Kind.SPREAD else None,
        decided_by=by,
    )
    _check_kind(decision)
    _check_due(due_on)
    _check_due(effect_check_on, field="effect_check_on")
    _check_due(next_due_on, field="next_due_on")
    forward, below = None, None
    if kind == Decision.Kind.FORWARD:
        forward = _forward_target(escalation, to=forward_to)
    if kind == Decision.Kind.SEND_BACK:
        below = _send_back_target(escalation, to=send_back_to)
    _save(decision, by=by)
    why = _("%(group)s: %(decision)s") % {
        "group": escalation.group,
        "decision": decision.get_kind_display(),
    }
    escalation.status = {
        Decision.Kind.FORWARD: Escalation.Status.FORWARDED,
        Decision.Kind.SEND_BACK: Escalation.Status.RETURNED,
    }.get(kind, Escalation.Status.DECIDED)
    _save(escalation, by=by, why=why)
    if forward is not None:
        _forward(escalation, *forward, reason=decision.reason, due_on=next_due_on, by=by)
        return decision
    barrier = escalation.barrier
    if kind == Decision.Kind.SEND_BACK:
        back = _send_back(escalation, below, reason=decision.reason, due_on=next_due_on, by=by)
        if back is None:  # back to the analysts: the barrier is theirs to work on again
            barrier.status = Status.ANALYSED
            _save(barrier, by=by, why=decision.reason)
        transaction.on_commit(lambda: sent_back_notify(decision=decision, to=back))
        return decision
    barrier.status = Status.RESOLVED if kind == Decision.Kind.RESOLVED else Status.DECIDED
    if kind == Decision.Kind.RESOLVED:
        barrier.recurring, barrier.recurring_since = False, None
    _save(barrier, by=by, why=why)
    if kind == Decision.Kind.RESOLVED:
        _evidence_status_move(
            barrier,
            from_status=Deviation.Status.LINKED,
            to_status=Deviation.Status.CLOSED,
            why="barrier resolved",
            by=by,
        )
    if kind == Decision.Kind.SPREAD and decision.practice is not None:
        practice_spread(
            practice=decision.practice,
            group=escalation.group.name,
            action=decision.action,
            owner=decision.owner,
        )
    outcome_notify(decision=decision)  # the reporters hear what became of their deviations
    return decision


SEND_BACK_TO_ANALYSTS = "analysts"


def send_back_targets(escalation: Escalation) -> list[Escalation]:
    """Where a group may send a barrier back besides the analysts: the escalations below this
    one on the barrier's own route (the one that forwarded it, the one that forwarded that, …),
    nearest first, one per group."""
    chain: list[Escalation] = []
    groups, seen = {escalation.group_id}, {escalation.pk}
    below = escalation.forwarded_from
    while below is not None and below.pk not in seen:
        if below.group_id not in groups:
            chain.append(below)
        groups.add(below.group_id)
        seen.add(below.pk)
        below = below.forwarded_from
    return chain


def _send_back_target(escalation: Escalation, *, to: str) -> Escalation | None:
    """The escalation below to send the barrier back to (None: to the analysts), checked before
    anything is written. By default the group that forwarded it, as before the choice existed."""
    chain = send_back_targets(escalation)
    if not to:
        return chain[0] if chain else None
    if to == SEND_BACK_TO_ANALYSTS:
        return None
    if chosen := next((below for below in chain if below.group.slug == to), None):
        return chosen
    raise DomainError(
        _(
            "A barrier can only be sent back to the analysts or to a group lower on its route "
            "that had it before."
        ),
        code="send_back_not_below",
        field="send_back_to",
    )


def _send_back(
    escalation: Escalation,
    below: Escalation | None,
    *,
    reason: str,
    due_on: date | None,
    by: User,
) -> Escalation | None:
    """A new open escalation at the group `below` had, with the route it had there; None when
    the barrier goes back to the analysts."""
    if below is None:
        return None
    above = below.forwarded_from.group if below.forwarded_from else None
    proposal = barrier_route(barrier=escalation.barrier, above=above)
    overridden = proposal.group is None or below.group_id != proposal.group.pk
    back = Escalation(
        barrier=escalation.barrier,
        group=below.group,
        proposed_group=proposal.group,
        route=proposal.route.as_dict(),
        route_reason=proposal.reason,
        override_reason=(below.override_reason or reason) if overridden else "",
        due_on=due_on,
        forwarded_from=below.forwarded_from,
        returned_from=escalation,
        created_by=by,
    )
    _save(back, by=by, why=reason)
    return back


def forward_possible(escalation: Escalation) -> bool:
    """Whether the group has anyone above it to forward to (not at the top of the ladder)."""
    return barrier_route(barrier=escalation.barrier, above=escalation.group).group is not None


def _forward(
    escalation: Escalation,
    target: SteeringGroup,
    proposal: RouteProposal,
    *,
    reason: str,
    due_on: date | None,
    by: User,
) -> Escalation:
    """The next escalation up; the decision's reason explains a group other than proposed."""
    overridden = proposal.group is None or target.pk != proposal.group.pk
    forwarded = Escalation(
        barrier=escalation.barrier,
        group=target,
        proposed_group=proposal.group,
        route=proposal.route.as_dict(),
        route_reason=proposal.reason,
        override_reason=reason if overridden else "",
        due_on=due_on,
        forwarded_from=escalation,
        created_by=by,
    )
    _save(forwarded, by=by, why=reason)
    arrival_notify(escalation=forwarded)
    return forwarded


def _forward_target(
    escalation: Escalation, *, to: SteeringGroup | None
) -> tuple[SteeringGroup, RouteProposal]:
    """Where a forward goes (checked before anything is written): the chosen group, or the
    lowest group above this one that can act."""
    proposal = barrier_route(barrier=escalation.barrier, above=escalation.group)
    target = to or proposal.group
    if target is None:
        raise StateError(
            _("%(group)s is the top of the ladder; there is no one to forward to.")
            % {"group": escalation.group},
            code="nowhere_to_forward",
        )
    current = escalation.group
    if target.pk == current.pk or target.ladder_position < current.ladder_position:
        raise DomainError(
            _("Forward to a group higher on the ladder than %(group)s.") % {"group": current},
            code="forward_not_higher",
        )
    return target, proposal


# --- Evidence that keeps coming ----------------------------------------------------------------


@dataclass(slots=True)
class AccrualReport:
    linked: int = 0
    barriers: list[Barrier] = field(default_factory=list)  # that received new evidence
    recurring: list[Barrier] = field(default_factory=list)  # newly flagged as recurring


def _resolved_on(barrier: Barrier) -> date | None:
    decided = (
        Decision.objects.filter(escalation__barrier=barrier, kind=Decision.Kind.RESOLVED)
        .order_by("-decided_at")
        .values_list("decided_at", flat=True)
        .first()
    )
    return timezone.localdate(decided) if decided else None


def barrier_evidence_accrue(
    *,
    barriers: Iterable[Barrier] | None = None,
    deviations: Iterable[Deviation] | None = None,
    by: User | None = None,
) -> AccrualReport:
    """Link deviations whose confirmed tags contain all of a barrier's tags.

    Call it after tags are confirmed (with those `deviations`) or as a batch (the
    `accrue_evidence` command). A resolved barrier that receives a deviation which occurred on
    or after its resolution is flagged as recurring, and its owners are told once.
    """
    report = AccrualReport()
    if barriers is None:
        barriers = Barrier.objects.filter(merged_into__isnull=True).exclude(status=Status.CLOSED)
    # Given deviations (tags just confirmed): their concepts once, then each barrier is matched
    # in memory and only a barrier they match costs a query — not a scan of every deviation
    # per open barrier.
    among = (
        {
            pk: tag_concepts(packed.split(";"))
            for pk, packed in Deviation.objects.filter(
                pk__in=[d.pk for d in deviations]
            ).values_list("pk", "confirmed_tags")
            if packed
        }
        if deviations is not None
        else None
    )
    for barrier in barriers:
        if len(barrier.tags) < MIN_TAGS_TO_ACCRUE or barrier.status == Status.CLOSED:
            continue
        if among is not None:
            wanted = tag_concepts(barrier.tags)
            if not any(wanted <= held for held in among.values()):
                continue
        with transaction.atomic():
            candidates = deviations_matching(
                tags=barrier.tags, organisations=barrier_organisations(barrier), among=among
            ).exclude(barrier_evidence__barrier=barrier)
            new = list(candidates)
            if not new:
                continue
            _link(barrier, new, how=BarrierEvidence.How.ACCRUED, by=by)
            report.linked += len(new)
            report.barriers.append(barrier)
            escalations_reroute(barrier=barrier, by=by)
            resolved_on = _resolved_on(barrier) if barrier.status == Status.RESOLVED else None
            recurs = resolved_on is not None and any(d.occurred_on >= resolved_on for d in new)
            if recurs and not barrier.recurring:
                barrier.recurring, barrier.recurring_since = True, timezone.now()
                _save(barrier, by=by, why=_("New deviations after the barrier was resolved."))
                _evidence_status_move(
                    barrier,
                    from_status=Deviation.Status.CLOSED,
                    to_status=Deviation.Status.LINKED,
                    why="barrier recurred after it was resolved",
                    by=by,
                )
                recurrence_notify(barrier=barrier, deviations=new)
                report.recurring.append(barrier)
    return report
