"""Input for filing, drafts and tag suggestions: shape only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalogue.models import Municipality
from catalogue.selectors import tag_choices
from deviations.forms import DESCRIPTION_MAX_CHARS
from deviations.models import AgeBand, Category, Consequence, Draft, Gender, Severity, Unit
from deviations.services import DeviationInput


class DeviationCreateSerializer(serializers.Serializer):
    occurred_on = serializers.DateField()
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True),
        help_text=_("Unit id from /api/v1/units/; one of your own units."),
    )
    municipality = serializers.SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.all(), help_text=_("SCB code, e.g. 0160")
    )
    description = serializers.CharField(min_length=20, max_length=DESCRIPTION_MAX_CHARS)
    category = serializers.ChoiceField(choices=Category.choices)
    consequence = serializers.ChoiceField(
        choices=Consequence.choices, required=False, allow_blank=True, default=""
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices, required=False, allow_null=True, default=None
    )
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True, default=""
    )
    age_band = serializers.ChoiceField(
        choices=AgeBand.choices, required=False, allow_blank=True, default=""
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        allow_null=True,
        default=None,
        max_length=50,
        help_text=_(
            "The tags the reporter kept or added. Leave out to keep every tagger suggestion; "
            "suggestions not listed are stored as rejected."
        ),
    )
    names_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Confirms that words flagged as possible names are not a person's name."),
    )
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Send the same key when retrying; the deviation is filed only once."),
    )

    def validate_occurred_on(self, value: Any) -> Any:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The event date cannot be in the future."))
        return value

    def validate_tags(self, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [tag for tag in value if tag not in tag_choices()]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown tag: %(tags)s.") % {"tags": ", ".join(unknown[:5])}
            )
        return value

    def to_input(self) -> DeviationInput:
        return DeviationInput.from_fields(self.validated_data)


class SuggestRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=DESCRIPTION_MAX_CHARS, allow_blank=True, trim_whitespace=False
    )
    date = serializers.DateField(required=False, allow_null=True, default=None)


class SuggestedTagSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()
    confidence = serializers.FloatField()
    spans = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    rule = serializers.CharField()
    explanation = serializers.CharField()


class PiiHitSerializer(serializers.Serializer):
    type = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    label = serializers.CharField()
    blocking = serializers.BooleanField()


class SuggestResponseSerializer(serializers.Serializer):
    tags = SuggestedTagSerializer(many=True)
    pii = PiiHitSerializer(many=True)


class DraftSerializer(serializers.ModelSerializer):
    class Meta:
        model = Draft
        fields = ["key", "data", "created_at", "updated_at"]
        read_only_fields = ["key", "created_at", "updated_at"]
