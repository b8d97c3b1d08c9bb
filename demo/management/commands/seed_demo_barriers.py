"""`python manage.py seed_demo_barriers`: a lived-in demo for `make run`.

Puts the demo steering member on a few groups and writes up the two strongest knots as barriers,
one escalated to the group routing proposes, so every role has something to look at. Reruns add
nothing.
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from analytics.extract import AnalysisFilter
from analytics.results import knot_result
from barriers.models import Barrier, SteeringGroup
from barriers.services import barrier_create_from_knot, barrier_escalate, barrier_transition
from deviations.models import User

DEMO_GROUPS = ("styrelse-roslagen", "region-stockholm-fk-samverkansgrupp", "riksdagen")


class Command(BaseCommand):
    help = "Demo steering-group memberships and two barriers from the strongest knots."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--steering-user", default="styrgrupp")
        parser.add_argument("--analyst-user", default="analytiker")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        steering = User.objects.filter(username=options["steering_user"]).first()
        analyst = User.objects.filter(username=options["analyst_user"]).first()
        if steering is None or analyst is None:
            self.stderr.write("Demo users missing: run create_demo_users first.")
            return
        groups = list(SteeringGroup.objects.filter(slug__in=DEMO_GROUPS))
        for group in groups:
            group.members.add(steering)
        if Barrier.objects.exists():
            self.stdout.write("Demo barriers: already there.")
            return
        own = AnalysisFilter().scoped(analyst)  # the analyst's organisation's knots
        knots = [k for k in knot_result(own).knots if any(t.startswith("prov:") for t in k.tags)]
        created = []
        for knot in knots[:2]:
            barrier = barrier_create_from_knot(knot=knot, by=analyst)
            barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
            created.append(barrier)
        practices = _demo_practices(created, analyst=analyst)
        if created:
            barrier = created[0]
            proposal = barrier_escalate(
                barrier=barrier,
                group=None,
                due_on=timezone.localdate() + timedelta(days=14),
                by=analyst,
            )
            proposal.group.members.add(steering)
        self.stdout.write(
            f"Demo barriers: {len(created)} created, {practices} guldkorn; {steering.username} "
            f"sits on {steering.steering_groups.count()} steering groups."
        )


# Synthetic practices in the words staff use; each barrier gets one that meets it.
PRACTICE_TEXTS = (
    (
        "Gemensamt avstämningsmöte före dag 180",
        "Handläggare från Försäkringskassan och Arbetsförmedlingen och deltagarens kontakt i "
        "kommunen träffades tillsammans innan sjukpenningen prövades mot hela arbetsmarknaden.",
        "Försäkringskassan, Arbetsförmedlingen och kommunens socialtjänst",
        "Ingen period utan ersättning: inskrivningen var klar samma dag som beslutet kom.",
    ),
    (
        "En plan i stället för tre",
        "Teamet skrev en samordnad individuell plan som både regionens vård och kommunen "
        "godkände, så att kraven i de olika besluten inte krockade.",
        "Regionens psykiatri, kommunens socialtjänst och MIA-teamet",
        "Deltagaren behövde inte välja vilket krav som skulle uppfyllas först.",
    ),
)


def _demo_practices(barriers: list[Barrier], *, analyst: User) -> int:
    """A confirmed guldkorn beside each demo barrier, and one waiting for the analyst."""
    from deviations.models import GoodPractice
    from deviations.practices import PracticeInput, practice_confirm, practice_file

    staff = User.objects.filter(username="personal").first()
    if staff is None or GoodPractice.objects.exists():
        return 0
    unit = staff.units.first()
    if unit is None:
        return 0
    municipality = unit.municipalities.order_by("code").first()
    filed = 0
    for index, text in enumerate(PRACTICE_TEXTS):
        practice = practice_file(
            by=staff,
            data=PracticeInput(
                *text,
                occurred_on=timezone.localdate() - timedelta(days=20 + 30 * index),
                unit=unit,
                municipality=municipality,
            ),
        )
        filed += 1
        if index < len(barriers):
            practice_confirm(practice=practice, by=analyst, tags=barriers[index].tags[:3])
    return filed
