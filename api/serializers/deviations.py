"""Deviations as the API shows them: every tag with the explanation that produced it."""

from rest_framework import serializers

from deviations.models import Deviation, Tagging


class TaggingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tagging
        fields = ["tag_id", "kind", "state", "origin", "confidence", "rule", "spans", "decided_at"]


class DeviationSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True)
    duplicate_of = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )
    tags = TaggingSerializer(source="taggings", many=True, read_only=True)

    class Meta:
        model = Deviation
        fields = [
            "reference",
            "external_id",
            "occurred_on",
            "reported_at",
            "unit",
            "municipality",
            "municipality_name",
            "description",
            "category",
            "consequence",
            "severity",
            "gender",
            "age_band",
            "status",
            "duplicate_of",
            "tags",
        ]
