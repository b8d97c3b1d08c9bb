"""Input for filing, drafts and tag suggestions: shape here, the field rules in deviations.rules."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.filters import date_bound_check
from catalogue.models import Municipality
from core.text import data_clean
from deviations import rules
from deviations.models import Draft, Unit
from deviations.rules import DESCRIPTION_MAX_CHARS, FieldRuleError
from deviations.services import DeviationInput


def _refusal(error: FieldRuleError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message, code=error.code)


class RuleChoiceField(serializers.ChoiceField):
    """A choice list whose refusal is the rule's, worded as on every other way in."""

    def __init__(self, rule: str, **kwargs: Any) -> None:
        super().__init__(rules.CHOICES[rule].choices, **kwargs)
        self.rule = rule

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        try:
            rules.check_choice(self.rule, data if isinstance(data, str | int) else repr(data))
        except FieldRuleError as error:
            raise _refusal(error) from None
        return super().to_internal_value(data)


class DeviationCreateSerializer(serializers.Serializer):
    occurred_on = serializers.DateField(error_messages={"invalid": rules.DATE_FORMAT_MESSAGE})
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True),
        help_text=_("Unit id from /api/v1/units/; one of your own units."),
    )
    municipality = serializers.SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.all(), help_text=_("SCB code, e.g. 0160")
    )
    description = serializers.CharField(  # blank and lengths: deviations.rules
        allow_blank=True, error_messages={"required": rules.DESCRIPTION_REQUIRED_MESSAGE}
    )
    category = RuleChoiceField("category")
    consequence = RuleChoiceField("consequence", required=False, allow_blank=True, default="")
    severity = RuleChoiceField("severity", required=False, allow_null=True, default=None)
    gender = RuleChoiceField("gender", required=False, allow_blank=True, default="")
    age_band = RuleChoiceField("age_band", required=False, allow_blank=True, default="")
    participant_quote = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The participant's own words, at most 300 characters, only with consent."),
    )  # length, consent and personal data: deviations.rules and the service
    participant_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("The participant agreed that their words are kept (who agreed is not kept)."),
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

    def validate_description(self, value: str) -> str:
        try:
            rules.check_description(value, typed=True)
        except FieldRuleError as error:
            raise _refusal(error) from None
        return value

    def validate_occurred_on(self, value: Any) -> Any:
        try:
            rules.check_occurred_on(value)
        except FieldRuleError as error:
            raise _refusal(error) from None
        return value

    def validate_tags(self, value: list[str] | None) -> list[str] | None:
        if value is not None:
            try:
                rules.check_tags(value)
            except FieldRuleError as error:
                raise _refusal(error) from None
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            rules.check_place(unit=attrs["unit"], municipality=attrs["municipality"])
        except FieldRuleError as error:
            raise serializers.ValidationError({error.field: [error.message]}) from None
        return attrs

    def to_input(self) -> DeviationInput:
        return DeviationInput.from_fields(self.validated_data)


class SuggestRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=DESCRIPTION_MAX_CHARS, allow_blank=True, trim_whitespace=False
    )
    date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_date(self, value: Any) -> Any:
        if value is not None:
            try:
                date_bound_check(value)
            except FieldRuleError as error:
                raise _refusal(error) from None
        return value


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

    def to_representation(self, instance: Draft) -> dict[str, Any]:
        # A draft stored before input was checked may hold text that cannot be encoded.
        body = super().to_representation(instance)
        body["data"] = data_clean(body["data"])
        return dict(body)
