"""The catalogue is edited here by administrators; every change is in the history."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from catalogue.models import (
    Agency,
    CatalogueConflict,
    Concordance,
    Forbund,
    Law,
    Municipality,
    Provision,
    Term,
)
from catalogue.services import references_confirm
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
    list_display = ["name", "verified", "require_totp"]
    list_filter = ["verified"]
    filter_horizontal = ["municipalities"]


@admin.action(description=_("Mark as verified"))
def confirm_rows(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Law | Provision]
) -> None:
    """Rows created when first tagged are checked by hand, then shown as any other entry."""
    count = references_confirm(queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d entry marked as verified.", "%(count)d entries marked as verified.", count
        )
        % {"count": count},
    )


class ProvisionInline(admin.TabularInline):
    form = PersonalDataModelForm
    model = Provision
    extra = 0
    fields = ["chapter", "section", "description", "verified", "confirmed"]


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
        "confirmed",
    ]
    list_filter = ["kind", "verified", "confirmed"]
    actions = [confirm_rows]
    search_fields = ["sfs", "title", "short_name"]
    filter_horizontal = ["agencies"]
    inlines = [ProvisionInline]


@admin.register(Provision)
class ProvisionAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["tag_id", "description", "verified", "confirmed"]
    list_filter = ["verified", "confirmed", "law"]
    actions = [confirm_rows]
    search_fields = ["tag_id", "description"]
    readonly_fields = ["tag_id"]


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    form = PersonalDataModelForm
    list_display = ["term", "agency", "ambiguous"]
    list_filter = ["ambiguous", "agency"]
    search_fields = ["term"]


@admin.register(Concordance)
class ConcordanceAdmin(SimpleHistoryAdmin):
    """The transition tables: which new provision continues an old one (catalogue.concordance)."""

    form = PersonalDataModelForm
    list_display = ["old", "new", "main", "verified", "source"]
    list_filter = ["verified", "main", "old__law"]
    search_fields = ["old__tag_id", "new__tag_id", "old__description", "note"]
    autocomplete_fields = ["old", "new"]


@admin.register(CatalogueConflict)
class CatalogueConflictAdmin(admin.ModelAdmin):
    """Fields an upgrade wanted to change where an administrator's value was kept: compare
    them here, edit the row if the shipped value is better, then delete the conflict."""

    form = PersonalDataModelForm  # read-only here, but every admin form carries the gate
    list_display = ["row", "field_name", "local_value", "shipped_value", "found_at"]
    list_filter = ["table", "field"]
    search_fields = ["row", "field"]
    readonly_fields = ["table", "row", "field", "shipped", "local", "found_at"]

    @admin.display(description=_("field"), ordering="field")
    def field_name(self, obj: CatalogueConflict) -> str:
        return obj.field

    @admin.display(description=_("local value, kept"))
    def local_value(self, obj: CatalogueConflict) -> str:
        return str(obj.local)[:200]

    @admin.display(description=_("shipped value"))
    def shipped_value(self, obj: CatalogueConflict) -> str:
        return str(obj.shipped)[:200]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
