"""Steering groups (the ladder and its members) are kept here by administrators; barriers,
escalations and decisions are shown read-mostly, since their rules live in the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from barriers.models import Barrier, BarrierEvidence, Decision, Escalation, SteeringGroup
from barriers.services import escalations_reroute, steering_group_update
from privacy.forms import PersonalDataModelForm

SERVICE_FIELDS = {"name", "mandate", "level"}  # changed through barriers.services


@admin.register(SteeringGroup)
class SteeringGroupAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["name", "level", "mandate", "county", "forbund", "verified"]
    list_filter = ["level", "mandate", "county", "verified"]
    search_fields = ["slug", "name"]
    filter_horizontal = ["municipalities", "agencies", "members"]

    def save_model(self, request: HttpRequest, obj: SteeringGroup, form: Any, change: bool) -> None:
        """A new name, mandate or level of an existing group goes through the service, which
        routes open escalations again, as every other path that changes a group does."""
        changed = SERVICE_FIELDS & set(form.changed_data)
        if not change or not changed:
            super().save_model(request, obj, form, change)
            return
        stored = SteeringGroup.objects.get(pk=obj.pk)
        typed = {name: getattr(obj, name) for name in changed}
        for name in changed:  # the service sees the change; the other fields are saved with it
            setattr(obj, name, getattr(stored, name))
        steering_group_update(group=obj, by=request.user, **typed)  # type: ignore[arg-type]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A new group, area or membership can change where open escalations should go."""
        super().save_related(request, form, formsets, change)
        if not change or {"county", "municipalities", "agencies"} & set(form.changed_data):
            escalations_reroute(by=request.user)  # type: ignore[arg-type]


class EvidenceInline(admin.TabularInline):
    form = PersonalDataModelForm
    model = BarrierEvidence
    extra = 0
    fields = ["deviation", "how", "is_example", "added_at", "added_by"]
    readonly_fields = ["how", "added_at", "added_by"]
    raw_id_fields = ["deviation"]


@admin.register(Barrier)
class BarrierAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["title", "status", "mandate_level", "analyst", "recurring", "created_at"]
    list_filter = ["status", "mandate_level", "recurring"]
    search_fields = ["title", "knot_key"]
    raw_id_fields = ["analyst", "merged_into", "split_from", "created_by"]
    inlines = [EvidenceInline]


class DecisionInline(admin.StackedInline):
    form = PersonalDataModelForm
    model = Decision
    extra = 0
    raw_id_fields = ["decided_by"]


@admin.register(Escalation)
class EscalationAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["barrier", "group", "proposed_group", "status", "due_on", "created_at"]
    list_filter = ["status", "group"]
    raw_id_fields = ["barrier", "forwarded_from", "created_by"]
    readonly_fields = ["route", "route_reason", "rerouted_at"]
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["escalation", "kind", "owner", "due_on", "effect_check_on", "decided_at"]
    list_filter = ["kind"]
    raw_id_fields = ["escalation", "decided_by"]
