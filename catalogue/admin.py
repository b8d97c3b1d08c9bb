"""The catalogue is edited here by administrators; every change is in the history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from catalogue.models import Agency, Forbund, Law, Municipality, Provision, Term
from privacy.forms import PersonalDataModelForm


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    form = PersonalDataModelForm
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Forbund)
class ForbundAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["name", "verified"]
    list_filter = ["verified"]
    filter_horizontal = ["municipalities"]


class ProvisionInline(admin.TabularInline):
    form = PersonalDataModelForm
    model = Provision
    extra = 0
    fields = ["chapter", "section", "description", "verified"]


@admin.register(Law)
class LawAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
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
    form = PersonalDataModelForm
    list_display = ["tag_id", "description", "verified"]
    list_filter = ["verified", "law"]
    search_fields = ["tag_id", "description"]
    readonly_fields = ["tag_id"]


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["term", "agency", "ambiguous"]
    list_filter = ["ambiguous", "agency"]
    search_fields = ["term"]
