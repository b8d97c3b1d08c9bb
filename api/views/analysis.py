"""Analysts' endpoints: the triage queue and decisions, knots, statistics and import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.equality import knots_listed
from analytics.extract import (
    FILTER_KEYS,
    AnalysisFilter,
    knot_listing_from_params,
    knot_params_from_params,
)
from analytics.knots import knots_as_json
from analytics.presentation import knot_key, knot_sentence, labels_for
from analytics.results import dashboard_figures, knot_result_served
from analytics.types import KnotParams
from api.filters import date_params_check
from api.pagination import whole_number
from api.permissions import IsAnalyst
from api.serializers.analysis import (
    ErrorSerializer,
    FigureSerializer,
    KnotSerializer,
    TriageActionSerializer,
    TriageRequestSerializer,
)
from api.serializers.deviations import DeviationSerializer
from api.serializers.jobs import JobSerializer
from core.parsers import MultiPartParser
from core.requests import request_user
from deviations.imports import IMPORT_MAX_BYTES
from deviations.models import TriageAction
from deviations.selectors import deviation_get, deviation_list, triage_queue
from deviations.triage import TriageDecision, deviation_triage, triage_undo
from jobs.services import job_enqueue

FILTER_PARAMETERS = [
    OpenApiParameter("since", str, description="YYYY-MM-DD"),
    OpenApiParameter("until", str, description="YYYY-MM-DD"),
    OpenApiParameter("municipality", str, many=True, description="SCB code, repeatable"),
    OpenApiParameter("forbund", str, description="förbund slug"),
    OpenApiParameter("unit", int, many=True, description="unit id, repeatable"),
    OpenApiParameter(
        "organisation",
        str,
        many=True,
        description="organisation (förbund) slug, repeatable; within the caller's own scope",
    ),
    OpenApiParameter("min_support", int, description="minimum number of deviations (knots)"),
]


def _analysis_filter(
    request: Request, *, also: tuple[str, ...] = ()
) -> tuple[AnalysisFilter, KnotParams]:
    """The filter and knot parameters, read and refused (AnalysisFilterError, 400 with `code`
    `invalid_filter`) exactly as the pages, the `knots` command and the knot job do; `also`
    names the view's own parameters (the knots' page)."""
    # The engine's other knobs stay internal.
    allowed = {*FILTER_KEYS, "min_support", "format", *also}
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError(
            {"detail": _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    date_params_check(request.query_params, ("since", "until"))
    return (
        AnalysisFilter.for_user(request.query_params, request_user(request)),
        knot_params_from_params(request.query_params),
    )


class TriageQueueView(generics.ListAPIView):
    """Deviations waiting for triage, oldest report first."""

    serializer_class = DeviationSerializer
    permission_classes = [permissions.IsAuthenticated, IsAnalyst]
    filter_backends: list[Any] = []

    def get_queryset(self):  # noqa: ANN201
        return triage_queue(user=request_user(self.request)).prefetch_related("taggings")


class DeviationTriageView(APIView):
    """Confirm, reject or add tags, mark a duplicate and move the deviation on; undoable."""

    permission_classes = [permissions.IsAuthenticated, IsAnalyst]

    @extend_schema(request=TriageRequestSerializer, responses={201: TriageActionSerializer})
    def post(self, request: Request, reference: str) -> Response:
        user = request_user(request)
        deviation = deviation_get(user=user, reference=reference)
        payload = TriageRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        duplicate_of = None
        if data["duplicate_of"] and data["duplicate_of"] != "none":
            duplicate_of = deviation_list(user=user).filter(reference=data["duplicate_of"]).first()
            if duplicate_of is None:
                raise ValidationError({"duplicate_of": [_("There is no such deviation.")]})
        action = deviation_triage(
            deviation=deviation,
            decision=TriageDecision(
                confirm=data["confirm"],
                reject=data["reject"],
                add=data["add"],
                duplicate_of=duplicate_of,
                clear_duplicate=data["duplicate_of"] == "none",
                done=data["done"],
            ),
            by=user,
        )
        return Response(TriageActionSerializer(action).data, status=status.HTTP_201_CREATED)


class TriageUndoView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsAnalyst]

    @extend_schema(request=None, responses=TriageActionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        action = get_object_or_404(
            TriageAction.objects.filter(deviation__in=deviation_list(user=user)), pk=pk
        )
        triage_undo(action=action, by=user)
        action.refresh_from_db()
        return Response(TriageActionSerializer(action).data)


KNOTS_PAGE = 50


class KnotListView(APIView):
    """The ranked knots for the filter (confirmed tags only), each with its sentence.

    Like the knots page, this never waits for the engine: it answers with the last result,
    stamped `Knots-Computed-At`, and `Knots-Stale: true` with a `Link` to the background job
    when the data has changed since. Before the first result exists: 202 with that job."""

    permission_classes = [permissions.IsAuthenticated, IsAnalyst]

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("page", int, description="page number, from 1"),
            OpenApiParameter(
                "page_size", int, description=f"knots per page (default {KNOTS_PAGE}, at most 500)"
            ),
            OpenApiParameter(
                "equality", bool, description="1: only knots that hit a group harder (`equality`)"
            ),
            OpenApiParameter(
                "order", str, enum=["score", "equality"], description="ranking (default) or ratio"
            ),
        ],
        responses={200: KnotSerializer(many=True), 202: JobSerializer},
    )
    def get(self, request: Request) -> Response:
        analysis_filter, params = _analysis_filter(
            request, also=("page", "page_size", "equality", "order")
        )
        listing = knot_listing_from_params(request.query_params)
        size = whole_number(request, "page_size", KNOTS_PAGE, most=500)
        number = whole_number(request, "page", 1)
        served = knot_result_served(analysis_filter, params=params, by=request_user(request))
        result = served.result
        if result is None:
            job = JobSerializer(served.job, context={"request": request}).data
            return Response(job, status=status.HTTP_202_ACCEPTED, headers={"Location": job["url"]})
        # A page at a time, best first; the whole list's size in `Knots-Total` and the
        # neighbouring pages in `Link` (RFC 8288), so the body stays the list it always was.
        paginator = Paginator(knots_listed(result.knots, listing), size)
        if number > paginator.num_pages:
            raise NotFound(
                _("There is no page %(page)d: the knots fill %(pages)d.")
                % {"page": number, "pages": paginator.num_pages}
            )
        page = paginator.page(number)
        headers = {
            "Knots-Computed-At": result.computed_at.isoformat(),
            "Knots-Stale": "true" if served.stale else "false",
            "Knots-Total": str(paginator.count),
        }
        links = []
        if served.job is not None:
            job_url = reverse("job-detail", kwargs={"key": served.job.key})
            links.append(f'<{request.build_absolute_uri(job_url)}>; rel="monitor"')
        for rel, exists, target in (
            ("next", page.has_next(), number + 1),
            ("prev", page.has_previous(), number - 1),
        ):
            if exists:
                query = request.query_params.copy()
                query["page"] = str(target)
                links.append(
                    f'<{request.build_absolute_uri("?" + query.urlencode())}>; rel="{rel}"'
                )
        if links:
            headers["Link"] = ", ".join(links)
        knots = list(page.object_list)
        body = []
        for knot, data in zip(knots, knots_as_json(knots), strict=True):
            body.append(
                {
                    **data,
                    "key": knot_key(knot.tags),
                    "labels": labels_for(knot.version_tags),
                    "sentence": knot_sentence(knot),
                    "local": knot.local,
                }
            )
        return Response(body, headers=headers)


class StatisticsView(APIView):
    """The dashboard's figures: counts per month, agency, pair, law, provision, place, category,
    consequence and gender, for the filter."""

    permission_classes = [permissions.IsAuthenticated, IsAnalyst]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=FigureSerializer(many=True))
    def get(self, request: Request) -> Response:
        analysis_filter, _params = _analysis_filter(request)
        return Response(
            [
                {"name": f.name, "title": f.title, "rows": [list(row) for row in f.rows]}
                for f in dashboard_figures(analysis_filter)
            ]
        )


class ImportView(APIView):
    """Upload a .csv or .xlsx (docs/contracts.md §3). The rows are checked and imported by a
    background job: the answer is 202 with the job, whose `url` shows the progress and, when
    finished, the per-row report (all rows or none)."""

    permission_classes = [permissions.IsAuthenticated, IsAnalyst]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={202: JobSerializer, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Attach a .csv or .xlsx file as “file”.")]})
        name = Path(upload.name or "").name
        if Path(name).suffix.lower() not in {".csv", ".xlsx"}:
            raise ValidationError({"file": [_("Only .csv and .xlsx files can be imported.")]})
        if upload.size and upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(
                {
                    "file": [
                        _("The file is larger than %(mb)d MB.") % {"mb": IMPORT_MAX_BYTES // 2**20}
                    ]
                }
            )
        job = job_enqueue(
            kind="import", by=request_user(request), input=upload.read(), input_name=name
        )
        body = JobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
