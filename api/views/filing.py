"""Filing through the API: tag suggestions for a text, and the reporter's own drafts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.filing import (
    DraftSerializer,
    SuggestRequestSerializer,
    SuggestResponseSerializer,
)
from catalogue.presentation import rule_label
from catalogue.selectors import tag_choices
from catalogue.tagids import tag_label
from deviations.models import Draft, User
from deviations.selectors import draft_list
from deviations.services import draft_save, pii_hit_payload, tags_suggest
from privacy.pii import find_pii


class TaggingSuggestView(APIView):
    """Tags and explanations for a text, and any personal data in it: the form's live chips."""

    @extend_schema(request=SuggestRequestSerializer, responses=SuggestResponseSerializer)
    def post(self, request: Request) -> Response:
        payload = SuggestRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        text = payload.validated_data["text"]
        on = payload.validated_data["date"] or timezone.localdate()
        choices = tag_choices()
        tags = []
        for suggestion in tags_suggest(text=text, on=on):
            words = ", ".join(f"“{text[a:b]}”" for a, b in suggestion.spans)
            tags.append(
                {
                    "id": suggestion.tag_id,
                    "kind": suggestion.kind,
                    "label": tag_label(suggestion.tag_id, choices),
                    "confidence": suggestion.confidence,
                    "spans": [list(span) for span in suggestion.spans],
                    "rule": suggestion.rule,
                    "explanation": _("Found %(words)s (rule: %(rule)s)")
                    % {"words": words, "rule": rule_label(suggestion.rule)},
                }
            )
        pii = [pii_hit_payload(hit) for hit in find_pii(text)]
        return Response({"tags": tags, "pii": pii})


class IsFilingStaff(permissions.BasePermission):
    """Drafts belong to people who file deviations."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm("deviations.add_deviation"))


class DraftViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own drafts. Blocking personal data is masked before a draft is stored."""

    serializer_class = DraftSerializer
    permission_classes = [permissions.IsAuthenticated, IsFilingStaff]
    lookup_field = "key"
    filterset_class = None

    def get_queryset(self) -> QuerySet[Draft]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Draft.objects.none()
        user = self.request.user
        assert isinstance(user, User)  # noqa: S101 - IsAuthenticated runs first
        return draft_list(user=user)

    def _save(self, request: Request, draft: Draft | None) -> Response:
        payload = request.data
        data = payload.get("data") if isinstance(payload, Mapping) else None
        if not isinstance(data, dict):
            return Response(
                {
                    "detail": _("`data` must be an object with the form's fields."),
                    "code": "invalid",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        user = request.user
        assert isinstance(user, User)  # noqa: S101
        draft, masked = draft_save(by=user, draft=draft, data=data)
        body = {**DraftSerializer(draft).data, "masked": masked}
        return Response(body)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self._save(request, None)
        if response.status_code == status.HTTP_200_OK:
            response.status_code = status.HTTP_201_CREATED
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, self.get_object())
