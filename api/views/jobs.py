"""Background jobs over the API: follow one, list yours, run a failed one again."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.analysis import ErrorSerializer
from api.serializers.jobs import JobSerializer
from core.requests import request_user
from jobs.models import Job
from jobs.selectors import job_get, job_list
from jobs.services import job_may_retry, job_retry


def _job(request: Request, key: uuid.UUID) -> Job:
    return job_get(user=request_user(request), key=key)


class JobListView(generics.ListAPIView):
    """Your jobs, newest first (every job with the view_job permission)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = JobSerializer

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return job_list(user=request_user(self.request))


class JobDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: JobSerializer})
    def get(self, request: Request, key: uuid.UUID) -> Response:
        return Response(JobSerializer(_job(request, key), context={"request": request}).data)


class JobRetryView(APIView):
    """Run a failed job again; whatever the first run finished is not done twice."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={202: JobSerializer, 400: ErrorSerializer})
    def post(self, request: Request, key: uuid.UUID) -> Response:
        job = _job(request, key)
        user = request_user(request)
        if not job_may_retry(user=user, job=job):
            raise PermissionDenied
        job = job_retry(job=job, by=user)
        body = JobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
