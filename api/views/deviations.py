"""Deviations through the API, under exactly the visibility rules of the web pages."""

from django.db.models import Prefetch, QuerySet
from rest_framework import viewsets

from api.serializers.deviations import DeviationSerializer
from deviations.filters import DeviationFilterSet
from deviations.models import Deviation, Tagging, User
from deviations.selectors import deviation_list


class DeviationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeviationSerializer
    filterset_class = DeviationFilterSet
    lookup_field = "reference"

    def get_queryset(self) -> QuerySet[Deviation]:
        user = self.request.user
        assert isinstance(user, User)  # noqa: S101 - IsAuthenticated runs first
        return (
            deviation_list(user=user)
            .select_related("duplicate_of")
            .prefetch_related(
                Prefetch("taggings", queryset=Tagging.objects.order_by("kind", "tag_id"))
            )
            .order_by("-occurred_on", "-reference")
        )
