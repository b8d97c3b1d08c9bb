"""Deviations through the API, under exactly the visibility rules of the web pages."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import CanFileDeviations
from api.serializers.deviations import DeviationSerializer
from api.serializers.filing import DeviationCreateSerializer
from core.search import search_ordering
from deviations.filters import DeviationFilterSet
from deviations.models import Deviation, Tagging, User
from deviations.selectors import deviation_list
from deviations.services import deviation_submit


class DeviationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Read what you may see; staff file new deviations with POST (personal data → 400)."""

    serializer_class = DeviationSerializer
    filterset_class = DeviationFilterSet
    lookup_field = "reference"
    permission_classes = [permissions.IsAuthenticated, CanFileDeviations]

    def get_queryset(self) -> QuerySet[Deviation]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Deviation.objects.none()
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

    def filter_queryset(self, queryset: QuerySet[Deviation]) -> QuerySet[Deviation]:
        """With `q`, the best answers come first (then the newest)."""
        filtered = super().filter_queryset(queryset)
        return filtered.order_by(*search_ordering(filtered, "-occurred_on", "-reference"))

    @extend_schema(request=DeviationCreateSerializer, responses={201: DeviationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = DeviationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = request.user
        assert isinstance(user, User)  # noqa: S101
        deviation = deviation_submit(
            by=user,
            data=payload.to_input(),
            chosen_tags=payload.validated_data["tags"],
            names_confirmed=payload.validated_data["names_confirmed"],
            idempotency_key=payload.validated_data["idempotency_key"],
        )
        fresh = self.get_queryset().get(pk=deviation.pk)
        return Response(DeviationSerializer(fresh).data, status=status.HTTP_201_CREATED)
