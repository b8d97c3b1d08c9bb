"""Triage, knots, statistics and import as the API shows them to analysts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from deviations.models import TriageAction


class TriageRequestSerializer(serializers.Serializer):
    confirm = serializers.ListField(child=serializers.CharField(max_length=64), default=list)
    reject = serializers.ListField(child=serializers.CharField(max_length=64), default=list)
    add = serializers.ListField(child=serializers.CharField(max_length=64), default=list)
    duplicate_of = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Reference of the deviation this one duplicates; “none” clears it."),
    )
    done = serializers.BooleanField(
        default=False, help_text=_("Move the deviation on: it leaves the triage queue.")
    )


class TriageActionSerializer(serializers.ModelSerializer):
    deviation = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = TriageAction
        fields = ["id", "deviation", "by", "at", "summary", "before", "after", "undone_at"]


class EqualitySerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=["gender", "age_band"])
    group = serializers.CharField()
    ratio = serializers.FloatField()
    p = serializers.FloatField()
    significant = serializers.BooleanField()


class KnotSerializer(serializers.Serializer):
    key = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    labels = serializers.ListField(child=serializers.CharField())
    sentence = serializers.CharField()
    support = serializers.IntegerField()
    municipalities = serializers.IntegerField()
    units = serializers.IntegerField()
    lift = serializers.FloatField()
    trend = serializers.FloatField()
    score = serializers.FloatField()
    first_seen = serializers.DateField()
    last_seen = serializers.DateField()
    deviations = serializers.ListField(child=serializers.CharField())
    local = serializers.BooleanField()
    equality = EqualitySerializer(allow_null=True)


class FigureSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    rows = serializers.ListField(child=serializers.ListField())


class ErrorSerializer(serializers.Serializer):
    """Every refusal: one readable sentence, a stable code, and field errors when there are."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False)
