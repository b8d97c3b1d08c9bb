"""Barriers, escalations, decisions and steering groups, under barriers.selectors' rules:
steering members see only their own groups' escalations and the evidence behind them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsAnalyst
from api.serializers.barriers import (
    BarrierDetailSerializer,
    BarrierSerializer,
    BarrierWriteSerializer,
    DecideSerializer,
    DecisionSerializer,
    EscalateSerializer,
    EscalationSerializer,
    SteeringGroupSerializer,
    WithdrawSerializer,
)
from barriers.filters import BarrierFilterSet
from barriers.models import Barrier, Decision, Escalation, MandateLevel, SteeringGroup
from barriers.selectors import (
    barrier_list,
    decision_list,
    escalation_list,
    steering_group_list,
)
from barriers.services import (
    barrier_create,
    barrier_escalate,
    barrier_route,
    decision_record,
    escalation_withdraw,
)
from core.requests import request_user
from core.search import search_ordering


class AnalystWrites(permissions.BasePermission):
    """Everyone logged in reads what the selectors allow; only analysts write barriers."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return IsAnalyst().has_permission(request, view)


class BarrierViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated, AnalystWrites]
    filterset_class = BarrierFilterSet

    def get_queryset(self) -> QuerySet[Barrier]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Barrier.objects.none()
        return (
            barrier_list(user=request_user(self.request))
            .prefetch_related("escalations__decisions")
            .order_by("-updated_at", "-pk")
        )

    def filter_queryset(self, queryset: QuerySet[Barrier]) -> QuerySet[Barrier]:
        """`status` and `q` as on the barrier list; with `q`, the best answers first."""
        if self.action != "list":
            return queryset
        filtered = super().filter_queryset(queryset)
        return filtered.order_by(*search_ordering(filtered, "-updated_at", "-pk"))

    def get_serializer_class(self) -> type:
        return BarrierDetailSerializer if self.action == "retrieve" else BarrierSerializer

    @extend_schema(request=BarrierWriteSerializer, responses={201: BarrierDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = BarrierWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["mandate_level"] = MandateLevel.from_code(data["mandate_level"])
        barrier = barrier_create(by=request_user(request), **data)
        body = BarrierDetailSerializer(barrier, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: dict})
    @action(
        detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated, IsAnalyst]
    )
    def route(self, request: Request, pk: str | None = None) -> Response:
        """Where routing would send the barrier now, and why."""
        proposal = barrier_route(barrier=self.get_object())
        return Response(
            {
                "group": proposal.group.slug if proposal.group else None,
                "reason": proposal.reason,
                "route": proposal.route.as_dict(),
            }
        )

    @extend_schema(request=EscalateSerializer, responses={201: EscalationSerializer})
    @action(
        detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated, IsAnalyst]
    )
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        payload = EscalateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        escalation = barrier_escalate(
            barrier=self.get_object(),
            group=payload.validated_data.get("group"),
            due_on=payload.validated_data.get("due_on"),
            override_reason=payload.validated_data["override_reason"],
            by=request_user(request),
        )
        return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)


class EscalationViewSet(viewsets.ReadOnlyModelViewSet):
    """Escalations the caller may see; members of the group (and analysts) record decisions;
    analysts withdraw open ones."""

    serializer_class = EscalationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Escalation]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Escalation.objects.none()
        return (
            escalation_list(user=request_user(self.request))
            .select_related("group", "proposed_group")
            .prefetch_related("decisions__decided_by")
            .order_by("due_on", "pk")
        )

    @extend_schema(request=DecideSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        decision = decision_record(
            escalation=self.get_object(), by=request_user(request), **payload.validated_data
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawSerializer, responses={200: EscalationSerializer})
    @action(
        detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated, IsAnalyst]
    )
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """An analyst takes an open escalation back, with a reason; the barrier is analysed."""
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        escalation = escalation_withdraw(
            escalation=self.get_object(),
            by=request_user(request),
            reason=payload.validated_data["reason"],
        )
        return Response(EscalationSerializer(escalation).data)


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DecisionSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Decision]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Decision.objects.none()
        return decision_list(user=request_user(self.request)).order_by("-decided_at", "-pk")


class SteeringGroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SteeringGroupSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "slug"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SteeringGroup]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return SteeringGroup.objects.none()
        return (
            steering_group_list(user=request_user(self.request))
            .prefetch_related("municipalities", "agencies")
            .order_by("mandate", "name")
        )
