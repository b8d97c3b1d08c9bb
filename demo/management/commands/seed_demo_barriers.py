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
            f"Demo barriers: {len(created)} created; {steering.username} sits on "
            f"{steering.steering_groups.count()} steering groups."
        )
