"""Units, deviations and users are edited here by administrators; every change is in the history."""

from functools import partial
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from deviations.forms import DeviationAdminForm, RuleChoiceField, TaggingAdminForm
from deviations.models import Deviation, GoodPractice, Tagging, Unit, User
from deviations.rules import CHOICES
from deviations.services import taggings_changed, user_remove
from privacy.forms import PersonalDataModelForm


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["name", "forbund", "is_active"]
    list_filter = ["forbund", "is_active"]
    filter_horizontal = ["municipalities"]


class TaggingInline(admin.TabularInline):
    model = Tagging
    form = TaggingAdminForm
    extra = 0
    fields = ["tag_id", "kind", "state", "origin", "confidence", "rule"]


@admin.register(GoodPractice)
class GoodPracticeAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["reference", "title", "status", "municipality", "occurred_on"]
    list_filter = ["status", "municipality"]
    search_fields = ["reference", "title"]
    raw_id_fields = ["reporter", "confirmed_by"]
    readonly_fields = ["reference"]


@admin.register(Deviation)
class DeviationAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "occurred_on", "municipality", "unit", "status"]
    list_filter = ["status", "category", "municipality"]
    search_fields = ["reference", "external_id"]
    raw_id_fields = ["reporter", "duplicate_of"]
    inlines = [TaggingInline]
    form = DeviationAdminForm

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Choice lists refuse with the rule's message, as the filing form and the API do."""
        if db_field.name in CHOICES:
            kwargs["choices_form_class"] = partial(RuleChoiceField, rule=db_field.name)
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Edits here bypass the services, so repack the tags and tell the analysis."""
        super().save_related(request, form, formsets, change)
        taggings_changed(deviation_ids=[form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: Deviation) -> None:
        super().delete_model(request, obj)
        taggings_changed(deviation_ids=[])


@admin.register(User)
class KnutpunktUserAdmin(SimpleHistoryAdmin, UserAdmin):  # "Historik": roles and units over time
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Organisation and units"), {"fields": ("organisation", "units")}),
    )
    filter_horizontal = ["groups", "user_permissions", "units"]

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        """Deleting an account keeps its deviations under a pseudonym."""
        user_remove(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            user_remove(user=user)
