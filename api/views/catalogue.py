"""The reference catalogue, read-only, for every signed-in user."""

from django.db.models import QuerySet
from rest_framework import viewsets

from api.filters import AgencyFilterSet, LawFilterSet, ProvisionFilterSet
from api.serializers.catalogue import (
    AgencySerializer,
    ForbundSerializer,
    LawSerializer,
    MunicipalitySerializer,
    ProvisionSerializer,
    TermSerializer,
    UnitSerializer,
)
from catalogue.models import Agency, Forbund, Law, Municipality, Provision, Term
from deviations.models import Unit


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Agency.objects.all()
    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    lookup_field = "code"


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Municipality.objects.order_by("code")
    serializer_class = MunicipalitySerializer
    lookup_field = "code"


class ForbundViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Forbund.objects.prefetch_related("municipalities")
    serializer_class = ForbundSerializer
    lookup_field = "slug"


class LawViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Law.objects.select_related("replaced_by").prefetch_related("agencies")
    serializer_class = LawSerializer
    filterset_class = LawFilterSet
    lookup_field = "sfs"
    lookup_value_regex = r"\d{4}:\d+"


class ProvisionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProvisionSerializer
    filterset_class = ProvisionFilterSet
    lookup_field = "tag_id"
    lookup_value_regex = r"prov:[^/]+"

    def get_queryset(self) -> QuerySet[Provision]:
        return Provision.objects.select_related("law")


class TermViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Term.objects.select_related("agency")
    serializer_class = TermSerializer
    lookup_field = "term"


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Unit.objects.select_related("forbund").prefetch_related("municipalities")
    serializer_class = UnitSerializer
