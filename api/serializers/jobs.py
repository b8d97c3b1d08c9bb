from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from jobs.models import Job
from jobs.registry import job_kinds
from jobs.services import job_state


class JobSerializer(serializers.Serializer):
    """A background job and how far it has come; poll `url` until `finished` is true."""

    key = serializers.UUIDField()
    # The kinds the apps registered; the API is loaded after every app is ready.
    kind = serializers.ChoiceField(choices=[(kind.name, kind.label) for kind in job_kinds()])
    status = serializers.ChoiceField(choices=Job.Status.choices)
    step = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)
    seconds_left = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    finished = serializers.BooleanField()
    result = serializers.DictField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="the job's API address")
    page = serializers.CharField(help_text="the job's web page with its progress bar")

    def to_representation(self, instance: Job) -> dict[str, Any]:
        request = self.context.get("request")
        api_url = reverse("job-detail", kwargs={"key": instance.key})
        state = job_state(instance)
        return {
            **{name: state[name] for name in state if name not in {"status_label"}},
            "result": instance.result,
            "url": request.build_absolute_uri(api_url) if request else api_url,
            "page": instance.get_absolute_url(),
        }
