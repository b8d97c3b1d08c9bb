"""Guldkorn over the API: read the ones you may see, report one, and (analysts) confirm one,
through the same services as the pages (deviations.practices)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.models import Municipality
from core.requests import request_user
from deviations.models import GoodPractice, Unit
from deviations.practices import PracticeInput, practice_confirm, practice_file, practice_list


class PracticeSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = GoodPractice
        fields = [
            "reference", "title", "what_was_done", "who", "what_it_solved", "occurred_on",
            "unit", "municipality", "status", "status_label", "suggested_tags",
            "confirmed_tags", "reported_at",
        ]  # fmt: skip
        read_only_fields = fields


class PracticeWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    what_was_done = serializers.CharField(allow_blank=True)
    who = serializers.CharField(max_length=300, allow_blank=True)
    what_it_solved = serializers.CharField(allow_blank=True)
    occurred_on = serializers.DateField()
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    municipality = serializers.SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.all()
    )
    names_confirmed = serializers.BooleanField(
        default=False, help_text="Confirms that words flagged as possible names are not names."
    )


class PracticeConfirmSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=64), default=list)
    take_up = serializers.BooleanField(default=True)


class PracticeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Guldkorn: practices that made the agencies' rules work together. Everyone reads the
    confirmed ones and their own; staff report for their units, analysts confirm."""

    serializer_class = PracticeSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "reference"

    def get_queryset(self) -> QuerySet[GoodPractice]:
        if getattr(self, "swagger_fake_view", False):
            return GoodPractice.objects.none()
        return practice_list(user=request_user(self.request)).order_by("-reported_at", "-pk")

    @extend_schema(request=PracticeWriteSerializer, responses={201: PracticeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PracticeWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        names_confirmed = data.pop("names_confirmed")
        practice = practice_file(
            by=request_user(request), data=PracticeInput(**data), names_confirmed=names_confirmed
        )
        return Response(PracticeSerializer(practice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PracticeConfirmSerializer, responses={200: PracticeSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, reference: str | None = None) -> Response:
        payload = PracticeConfirmSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        practice = practice_confirm(
            practice=self.get_object(), by=request_user(request), **payload.validated_data
        )
        return Response(PracticeSerializer(practice).data)
