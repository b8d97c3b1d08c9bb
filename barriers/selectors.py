"""Reads for barriers, scoped to what the asking user may see. The one place that decides it.

- Analysts and administrators (`barriers.view_all_barriers`) see the barriers of the
  organisations they work for (deviations.selectors.organisation_scope: their förbund, their
  county, or everything), and of the evidence only what lies inside that scope.
- Steering-group members (`barriers.view_barrier`) see the barriers escalated to their own
  groups, at any time since, and the evidence behind them.
- Everyone sees the barriers their own reports are linked to, where they were escalated and
  what was decided: that is how the loop closes for the staff who reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.db.models import BooleanField as BooleanFieldType
from django.db.models import Case, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.disclosure import SMALL_COUNT, viewer_sees_exact
from analytics.extract import AnalysisFilter, filtered_deviations
from barriers.models import Barrier, BarrierEvidence, Decision, Escalation, SteeringGroup
from catalogue.concordance import versions_by_concept
from catalogue.selectors import concepts as catalogue_concepts
from deviations.history import TimelineEntry
from deviations.models import Deviation, User
from deviations.selectors import county_organisations, deviation_list, organisation_scope


def _sees_all(user: User) -> bool:
    """An analyst or administrator (of some scope: `_analyst_barriers` says which)."""
    return user.is_superuser or user.has_perm("barriers.view_all_barriers")


def _whole_installation(user: User) -> bool:
    return _sees_all(user) and organisation_scope(user) is None


def _analyst_barriers(user: User) -> Q:
    """The barriers an analyst or administrator works with: those of their organisations."""
    scope = organisation_scope(user)
    return Q() if scope is None else Q(organisation_id__in=scope)


def barrier_organisations(barrier: Barrier) -> tuple[str, ...]:
    """The organisations (slugs) whose deviations are the barrier's evidence: its own, its
    county's when written up for the county, every one (empty) for an installation's."""
    if barrier.organisation_id is None:
        return ()
    if barrier.county_wide and (county := barrier.organisation.county):
        return tuple(county_organisations(county).values_list("slug", flat=True))
    return (barrier.organisation.slug,)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _own_barrier_ids(user: User) -> QuerySet[BarrierEvidence]:
    return BarrierEvidence.objects.filter(deviation__reporter=user).values("barrier_id")


def _group_barrier_ids(user: User) -> QuerySet[Escalation]:
    return Escalation.objects.filter(group__members=user).values("barrier_id")


def barrier_list(*, user: User) -> QuerySet[Barrier]:
    """Barriers this user may see (module docstring), newest first."""
    qs = Barrier.objects.select_related("analyst", "merged_into")
    if not _active(user):
        return qs.none()
    if _whole_installation(user):
        return qs
    visible = Q(pk__in=_own_barrier_ids(user))
    if _sees_all(user):
        visible |= _analyst_barriers(user)
    if user.has_perm("barriers.view_barrier"):
        visible |= Q(pk__in=_group_barrier_ids(user))
    return qs.filter(visible)


def barrier_get(*, user: User, pk: int) -> Barrier:
    """One visible barrier, or 404: invisible and missing look the same to the asker."""
    return get_object_or_404(barrier_list(user=user), pk=pk)


def _sees_all_evidence(user: User, barrier: Barrier) -> bool:
    if _whole_installation(user):
        return True
    if (
        _sees_all(user)
        and not barrier.evidence_rows.exclude(deviation__in=deviation_list(user=user)).exists()
    ):
        return True  # a förbund's own barrier, or a county's seen by the county's analyst
    return user.has_perm("barriers.view_barrier") and (
        Escalation.objects.filter(barrier=barrier, group__members=user).exists()
    )


def barrier_evidence_list(*, user: User, barrier: Barrier) -> QuerySet[BarrierEvidence]:
    """The evidence of a barrier the user can see: all of it for analysts and the members of a
    group it was escalated to; for anyone else only the deviations they may see anyway."""
    qs = barrier.evidence_rows.select_related(
        "deviation__municipality", "deviation__unit", "added_by"
    ).order_by("-is_example", "-deviation__occurred_on", "deviation__reference")
    if not _active(user):
        return qs.none()
    if _sees_all_evidence(user, barrier):
        return qs
    return qs.filter(deviation__in=deviation_list(user=user))


def barrier_evidence_complete(*, user: User, barrier: Barrier) -> bool:
    """Whether the user sees all of a barrier's evidence, and with it the evidence's free text
    (the dossier's examples): analysts and the members of a group it was escalated to. A
    reporter sees the barrier their deviation feeds, but no other deviation's words."""
    return _active(user) and _sees_all_evidence(user, barrier)


def barrier_evidence_listed(*, user: User, barrier: Barrier) -> QuerySet[BarrierEvidence] | None:
    """The evidence as a list may be handed out: always to analysts; to anyone else only when
    the barrier rests on at least SMALL_COUNT deviations, so a list never shows a small count
    (None below: the caller says why instead)."""
    rows = barrier_evidence_list(user=user, barrier=barrier)
    if viewer_sees_exact(user) or barrier.evidence_rows.count() >= SMALL_COUNT:
        return rows
    return None


def escalation_list(*, user: User) -> QuerySet[Escalation]:
    """Escalations the user may see: analysts all, steering members their groups', reporters
    those of the barriers their deviations are linked to."""
    qs = Escalation.objects.select_related("barrier", "group", "proposed_group", "created_by")
    if not _active(user):
        return qs.none()
    if _whole_installation(user):
        return qs
    visible = Q(barrier_id__in=_own_barrier_ids(user))
    if _sees_all(user):
        visible |= Q(barrier__in=Barrier.objects.filter(_analyst_barriers(user)))
    if user.has_perm("barriers.view_barrier"):
        visible |= Q(group__in=SteeringGroup.objects.filter(members=user))
    return qs.filter(visible)


def decision_list(*, user: User) -> QuerySet[Decision]:
    """Decisions on the escalations the user may see."""
    return Decision.objects.select_related("escalation__group", "escalation__barrier").filter(
        escalation__in=escalation_list(user=user)
    )


def steering_group_list(*, user: User) -> QuerySet[SteeringGroup]:
    """The ladder for those who route (analysts) or sit on it; others see the groups they are
    members of."""
    qs = SteeringGroup.objects.select_related("forbund").prefetch_related(
        "municipalities", "agencies"
    )
    if not _active(user):
        return qs.none()
    if _sees_all(user) or user.has_perm("barriers.view_steeringgroup"):
        return qs
    return qs.filter(members=user)


def inbox_group_list(*, user: User) -> QuerySet[SteeringGroup]:
    """The groups whose inbox the user may open: their own, or all for analysts."""
    if not _active(user):
        return SteeringGroup.objects.none()
    if _sees_all(user):
        return SteeringGroup.objects.all()
    if not user.has_perm("barriers.view_barrier"):
        return SteeringGroup.objects.none()
    return SteeringGroup.objects.filter(members=user)


def group_inbox(
    *, user: User, group: SteeringGroup, today: date | None = None, open_only: bool = True
) -> QuerySet[Escalation]:
    """A group's escalations with `overdue` annotated, earliest due date first (none last)."""
    today = today or timezone.localdate()
    if not inbox_group_list(user=user).filter(pk=group.pk).exists():
        return Escalation.objects.none()
    qs = Escalation.objects.filter(group=group).select_related(
        "barrier__analyst", "proposed_group", "forwarded_from__group"
    )
    if not _whole_installation(user) and not group.members.filter(pk=user.pk).exists():
        # An analyst looking into a group: only what their own organisations sent it.
        qs = qs.filter(barrier__in=Barrier.objects.filter(_analyst_barriers(user)))
    if open_only:
        qs = qs.filter(status=Escalation.Status.OPEN)
    return qs.annotate(
        overdue=Case(
            When(status=Escalation.Status.OPEN, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanFieldType(),
        )
    ).order_by("due_on", "created_at", "pk")


def group_agenda(*, user: User, group: SteeringGroup, meeting_on: date) -> QuerySet[Escalation]:
    """What the group's meeting on `meeting_on` has to take up: open escalations due by then,
    and those without a date."""
    return group_inbox(user=user, group=group, today=meeting_on).filter(
        Q(due_on__lte=meeting_on) | Q(due_on__isnull=True)
    )


def barrier_route_taken(*, barrier: Barrier) -> QuerySet[Escalation]:
    """The route so far, oldest first, with each escalation's decisions, for the dossier."""
    return (
        barrier.escalations.select_related("group", "proposed_group", "forwarded_from")
        .prefetch_related("decisions__decided_by")
        .order_by("created_at", "pk")
    )


def tag_concepts(tags: Iterable[str]) -> frozenset[str]:
    """The concepts these tags name: a version of a rule across a reform counts as the rule
    (catalogue.concordance), so 4 kap. 1 § SoL (2001:453) is 12 kap. 1 § SoL (2025:400)."""
    concepts = catalogue_concepts()
    return frozenset(concepts.get(tag, tag) for tag in tags)


def deviations_matching(
    *,
    tags: Sequence[str],
    since: date | None = None,
    until: date | None = None,
    municipalities: Sequence[str] = (),
    organisations: Sequence[str] = (),
    among: Mapping[int, frozenset[str]] | None = None,
) -> QuerySet[Deviation]:
    """Deviations whose confirmed tags contain all these tags (the knot's own definition),
    duplicates left out as in the knot analysis; in these municipalities (codes) and of these
    organisations (slugs) if any. `among`: only these deviations (id → the concepts of their
    confirmed tags, `tag_concepts`), matched without reading any other."""
    qs = filtered_deviations(
        AnalysisFilter(
            since=since,
            until=until,
            municipalities=tuple(municipalities),
            organisations=tuple(organisations),
        )
    )
    if not tags:
        return qs.none()
    wanted = tag_concepts(tags)
    if among is not None:  # a few just-changed deviations: match in memory, filter by id
        return qs.filter(pk__in=[pk for pk, held in among.items() if wanted <= held])
    concepts = catalogue_concepts()
    groups = versions_by_concept(concepts)
    for concept in wanted:
        versions = groups.get(concept, (concept,))
        qs = qs.filter(reduce(or_, (Q(confirmed_tags__contains=v) for v in versions)))
    # `contains` is a substring test (law:2010:11 is inside law:2010:110): check exactly.
    exact = [
        pk
        for pk, packed in qs.values_list("pk", "confirmed_tags")
        if wanted <= {concepts.get(tag, tag) for tag in packed.split(";")}
    ]
    return Deviation.objects.filter(pk__in=exact)


# --- Closing the loop --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EscalationOutcome:
    escalation: Escalation
    decisions: tuple[Decision, ...]  # oldest first


@dataclass(frozen=True, slots=True)
class BarrierOutcome:
    """What became of a deviation: the barrier it feeds, where it went and what was decided."""

    barrier: Barrier
    linked_at: datetime
    escalations: tuple[EscalationOutcome, ...]  # oldest first

    @property
    def current(self) -> EscalationOutcome | None:
        return self.escalations[-1] if self.escalations else None


def deviation_outcome(*, deviation: Deviation) -> list[BarrierOutcome]:
    """For the deviation's page and "Mina avvikelser"; the caller has already checked that the
    user may see the deviation (deviations.selectors.deviation_get)."""
    rows = deviation.barrier_evidence.select_related("barrier").order_by("added_at", "pk")
    outcomes = []
    for row in rows:
        escalations = row.barrier.escalations.select_related("group").prefetch_related("decisions")
        outcomes.append(
            BarrierOutcome(
                barrier=row.barrier,
                linked_at=row.added_at,
                escalations=tuple(
                    EscalationOutcome(
                        escalation=e,
                        decisions=tuple(
                            sorted(e.decisions.all(), key=lambda d: (d.decided_at, d.pk))
                        ),
                    )
                    for e in escalations.order_by("created_at", "pk")
                ),
            )
        )
    return outcomes


def _name(user: User | None) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.username


def barrier_timeline_entries(*, deviation: Deviation) -> list[TimelineEntry]:
    """The barrier side of a deviation's story, shaped like deviations.history's entries so the
    page can merge both (deviations never import barriers)."""
    entries: list[TimelineEntry] = []
    rows = deviation.barrier_evidence.select_related("barrier", "added_by")
    for row in rows:
        barrier = row.barrier
        entries.append(
            TimelineEntry(
                row.added_at,
                _("Linked to the barrier “%(barrier)s”") % {"barrier": barrier.title},
                _name(row.added_by),
            )
        )
        for escalation in barrier.escalations.select_related("group", "created_by"):
            entries.append(
                TimelineEntry(
                    escalation.created_at,
                    _("The barrier “%(barrier)s” was escalated to %(group)s")
                    % {"barrier": barrier.title, "group": escalation.group.name},
                    _name(escalation.created_by),
                )
            )
            for decision in escalation.decisions.select_related("decided_by"):
                entries.append(
                    TimelineEntry(
                        decision.decided_at,
                        _("%(group)s decided on “%(barrier)s”: %(decision)s")
                        % {
                            "group": escalation.group.name,
                            "barrier": barrier.title,
                            "decision": decision.get_kind_display(),
                        },
                        _name(decision.decided_by),
                    )
                )
        entries += _status_entries(barrier)
    return sorted(entries, key=lambda e: e.at)


def _status_entries(barrier: Barrier) -> list[TimelineEntry]:
    """Action started and closing: the steps no decision records."""
    shown = {Barrier.Status.IN_ACTION, Barrier.Status.CLOSED}
    entries = []
    previous = None
    for record in barrier.history.order_by("history_date", "history_id").select_related(
        "history_user"
    ):
        if record.status != previous and record.status in shown:
            text = (
                _("Action started on the barrier “%(barrier)s”")
                if record.status == Barrier.Status.IN_ACTION
                else _("The barrier “%(barrier)s” was closed: %(reason)s")
            ) % {"barrier": barrier.title, "reason": record.closed_reason}
            entries.append(TimelineEntry(record.history_date, text, _name(record.history_user)))
        previous = record.status
    return entries
