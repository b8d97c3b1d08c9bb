"""The catalogue and users are edited here by administrators; every change is in the history."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from deviations.models import (
    Agency,
    Deviation,
    Forbund,
    Law,
    Municipality,
    Provision,
    Tagging,
    Term,
    Unit,
    User,
)
from deviations.services import confirmed_tags_refresh, tag_version_bump, user_remove


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Forbund)
class ForbundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "verified"]
    list_filter = ["verified"]
    filter_horizontal = ["municipalities"]


class ProvisionInline(admin.TabularInline):
    model = Provision
    extra = 0
    fields = ["chapter", "section", "description", "verified"]


@admin.register(Law)
class LawAdmin(SimpleHistoryAdmin):
    list_display = [
        "sfs",
        "title",
        "short_name",
        "kind",
        "in_force_from",
        "in_force_to",
        "verified",
    ]
    list_filter = ["kind", "verified"]
    search_fields = ["sfs", "title", "short_name"]
    filter_horizontal = ["agencies"]
    inlines = [ProvisionInline]


@admin.register(Provision)
class ProvisionAdmin(SimpleHistoryAdmin):
    list_display = ["tag_id", "description", "verified"]
    list_filter = ["verified", "law"]
    search_fields = ["tag_id", "description"]
    readonly_fields = ["tag_id"]


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ["term", "agency", "ambiguous"]
    list_filter = ["ambiguous", "agency"]
    search_fields = ["term"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "forbund", "is_active"]
    list_filter = ["forbund", "is_active"]
    filter_horizontal = ["municipalities"]


class TaggingInline(admin.TabularInline):
    model = Tagging
    extra = 0
    fields = ["tag_id", "kind", "state", "origin", "confidence", "rule"]


@admin.register(Deviation)
class DeviationAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "occurred_on", "municipality", "unit", "status"]
    list_filter = ["status", "category", "municipality"]
    search_fields = ["reference", "external_id"]
    raw_id_fields = ["reporter", "duplicate_of"]
    inlines = [TaggingInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Edits here bypass the services, so repack the tags and tell the analysis."""
        super().save_related(request, form, formsets, change)
        confirmed_tags_refresh(deviation_ids=[form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: Deviation) -> None:
        super().delete_model(request, obj)
        tag_version_bump()


@admin.register(User)
class KnutpunktUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), (_("Units"), {"fields": ("units",)}))
    filter_horizontal = ["groups", "user_permissions", "units"]

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        """Deleting an account keeps its deviations under a pseudonym."""
        user_remove(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            user_remove(user=user)
