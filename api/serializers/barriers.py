"""Barriers, steering groups, escalations and decisions as the API shows them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from analytics.disclosure import SMALL_COUNT
from barriers.models import Barrier, Decision, Escalation, MandateLevel, SteeringGroup
from barriers.selectors import barrier_evidence_listed
from deviations.models import GoodPractice


class SteeringGroupSerializer(serializers.ModelSerializer):
    municipalities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    agencies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    mandate = serializers.SerializerMethodField()

    class Meta:
        model = SteeringGroup
        # county: the SCB county code whose ladder the group is on ("" for national bodies);
        # a regional group with no municipalities covers that county.
        fields = [
            "slug", "name", "level", "mandate", "county", "municipalities", "agencies", "verified",
        ]  # fmt: skip

    def get_mandate(self, group: SteeringGroup) -> str:
        return MandateLevel(group.mandate).code


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    practice = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = [
            "id", "kind", "text", "action", "owner", "due_on", "effect_check_on", "reason",
            "effect_evaluation", "practice", "decided_by", "decided_at",
        ]  # fmt: skip


class EscalationSerializer(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    proposed_group = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    barrier = serializers.PrimaryKeyRelatedField(read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id", "barrier", "group", "proposed_group", "route_reason", "override_reason",
            "due_on", "status", "created_at", "decisions",
        ]  # fmt: skip


class BarrierSerializer(serializers.ModelSerializer):
    mandate_level = serializers.SerializerMethodField()
    analyst = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Barrier
        fields = [
            "id", "title", "description", "root_cause", "proposed_change", "mandate_level",
            "tags", "knot_key", "equality_issue", "analyst", "status", "closed_reason",
            "recurring", "created_at", "updated_at",
        ]  # fmt: skip

    def get_mandate_level(self, barrier: Barrier) -> str:
        return MandateLevel(barrier.mandate_level).code


class BarrierDetailSerializer(BarrierSerializer):
    evidence = serializers.SerializerMethodField()
    evidence_note = serializers.SerializerMethodField()
    escalations = EscalationSerializer(many=True, read_only=True)

    class Meta(BarrierSerializer.Meta):
        fields = [*BarrierSerializer.Meta.fields, "evidence", "evidence_note", "escalations"]

    def get_evidence(self, barrier: Barrier) -> list[str]:
        """References of the evidence the caller may see (barriers.selectors decides); empty
        outside the analyst role while the barrier rests on fewer than five deviations."""
        user = self.context["request"].user
        rows = barrier_evidence_listed(user=user, barrier=barrier)
        return (
            []
            if rows is None
            else [row.deviation.reference for row in rows.select_related("deviation")]
        )

    def get_evidence_note(self, barrier: Barrier) -> str | None:
        """Why `evidence` is empty when it is held back; null when the list is given."""
        if barrier_evidence_listed(user=self.context["request"].user, barrier=barrier) is not None:
            return None
        return _(
            "The evidence list is shown only when the barrier rests on at least %(limit)d "
            "deviations, so that no person can be singled out."
        ) % {"limit": SMALL_COUNT}


class BarrierWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    root_cause = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_change = serializers.CharField(required=False, allow_blank=True, default="")
    mandate_level = serializers.ChoiceField(
        choices=[level.code for level in MandateLevel], default=MandateLevel.LOCAL_ROUTINE.code
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=64), default=list)
    equality_issue = serializers.BooleanField(required=False, default=False)


class EscalateSerializer(serializers.Serializer):
    group = serializers.SlugRelatedField(
        slug_field="slug", queryset=SteeringGroup.objects.all(), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    # Blank is left to the service, which refuses it (`reason_required`), as on the page.
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Decision.Kind.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    action = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    effect_check_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    effect_evaluation = serializers.CharField(required=False, allow_blank=True, default="")
    # Forward: a chosen higher group (else the proposed one); forward and send back: the date
    # the next group is to take the barrier up by.
    forward_to = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=SteeringGroup.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    next_due_on = serializers.DateField(required=False, allow_null=True, default=None)
    # Spread: the reference of a guldkorn shown beside the barrier (GK-2026-00001).
    practice = serializers.SlugRelatedField(
        slug_field="reference",
        queryset=GoodPractice.objects.filter(status__in=["confirmed", "spread"]),
        required=False,
        allow_null=True,
        default=None,
    )
    # Send back: the slug of a group lower on the barrier's route, or "analysts"; blank, the
    # group that forwarded it. The service refuses any other (400, `send_back_not_below`).
    send_back_to = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64
    )
