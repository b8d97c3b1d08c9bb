"""Read-only views of the reference catalogue."""

from rest_framework import serializers

from catalogue.models import Agency, Forbund, Law, Municipality, Provision, Term
from deviations.models import Unit


class AgencySerializer(serializers.ModelSerializer):
    tag_id = serializers.CharField(read_only=True)

    class Meta:
        model = Agency
        fields = [
            "code",
            "tag_id",
            "name",
            "name_en",
            "description",
            "variants",
            "subunits",
            "context_dependent",
        ]


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["code", "name"]


class ForbundSerializer(serializers.ModelSerializer):
    municipalities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Forbund
        fields = ["slug", "name", "short_name", "municipalities", "verified", "source"]


class LawSerializer(serializers.ModelSerializer):
    tag_id = serializers.CharField(read_only=True, allow_null=True)
    replaced_by = serializers.SlugRelatedField(slug_field="sfs", read_only=True)
    agencies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Law
        fields = [
            "sfs",
            "tag_id",
            "title",
            "short_name",
            "abbreviations",
            "name_forms",
            "kind",
            "has_chapters",
            "in_force_from",
            "in_force_to",
            "replaced_by",
            "agencies",
            "verified",
            "confirmed",
            "note",
        ]


class ProvisionSerializer(serializers.ModelSerializer):
    law = serializers.SlugRelatedField(slug_field="sfs", read_only=True)
    citation = serializers.CharField(read_only=True)

    class Meta:
        model = Provision
        fields = [
            "tag_id",
            "law",
            "chapter",
            "section",
            "citation",
            "description",
            "verified",
            "confirmed",  # False: created when first tagged, not yet checked by an administrator
        ]


class TermSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Term
        fields = ["term", "forms", "targets", "candidates", "agency", "ambiguous", "note"]


class UnitSerializer(serializers.ModelSerializer):
    forbund = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    municipalities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "forbund", "municipalities", "is_active"]
