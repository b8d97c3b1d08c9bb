"""The filter every analysis page shares: period, förbund or municipalities, unit, support.

The form only draws the fields; what the values mean and which are refused is decided once,
by `AnalysisFilter.from_params` and `knot_params_from_params` (as for the API, the `knots`
command and the knot job). A refusal is shown next to its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from analytics.extract import (
    MIN_SUPPORT_RANGE,
    AnalysisFilter,
    AnalysisFilterError,
    knot_listing_from_params,
    knot_params_from_params,
)
from analytics.types import KnotListing, KnotParams
from catalogue.models import Forbund, Municipality
from deviations.models import Unit, User
from deviations.selectors import organisation_scope

KNOT_FIELDS = ("min_support", "equality", "order")  # drawn on the knots page only


class AnalysisFilterForm(forms.Form):
    """The analysis filter for one person: the choice of organisation is theirs to make only
    among the organisations they may analyse (a county analyst's county, say), and whatever
    they choose the view stays inside that scope (`AnalysisFilter.for_user`)."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Forbund.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All I may see"),
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    forbund = forms.ModelChoiceField(
        label=_("Samordningsförbund"),
        queryset=Forbund.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All"),
    )
    municipality = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.order_by("name"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    min_support = forms.IntegerField(
        label=_("Minimum number of deviations"),
        min_value=MIN_SUPPORT_RANGE[0],  # drawn as the input's bounds; checked by the parser
        max_value=MIN_SUPPORT_RANGE[1],
        required=False,
        initial=KnotParams().min_support,
    )

    equality = forms.BooleanField(
        label=_("Only knots that hit a group harder"),
        help_text=_("Women, men or an age group more often than in other deviations."),
        required=False,
    )
    order = forms.ChoiceField(
        label=_("Order"),
        choices=[("score", _("Most important first")), ("equality", _("Most unequal first"))],
        required=False,
        initial="score",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["min_support"].widget.attrs["inputmode"] = "numeric"
        for name in KNOT_FIELDS:  # drawn on the knots page only
            self.fields[name].knot_only = True  # type: ignore[attr-defined]
        scope = organisation_scope(user)
        organisations = Forbund.objects.order_by("name")
        if scope is not None:
            organisations = organisations.filter(pk__in=scope)
        self.fields["organisation"].queryset = organisations
        if scope is not None and len(scope) < 2:
            del self.fields["organisation"]  # nothing to choose: it is the person's own
        self.analysis_filter = AnalysisFilter().scoped(user)
        self.knot_params = KnotParams()
        self.knot_listing = KnotListing()

    def full_clean(self) -> None:
        """Validation is the shared parser's, not the fields': one rule for every path."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        if not self.is_bound:
            return
        try:
            self.analysis_filter = AnalysisFilter.for_user(self.data, self.user)
            self.knot_params = knot_params_from_params(self.data)
            self.knot_listing = knot_listing_from_params(self.data)
        except AnalysisFilterError as error:
            self.analysis_filter, self.knot_params, self.knot_listing = (
                AnalysisFilter().scoped(self.user),
                KnotParams(),
                KnotListing(),
            )
            self.add_error(error.field if error.field in self.fields else None, error.message)

    def to_filter(self) -> AnalysisFilter:
        self.errors  # noqa: B018 - validates once
        return self.analysis_filter

    def params(self) -> KnotParams:
        self.errors  # noqa: B018 - validates once
        return self.knot_params

    def listing(self) -> KnotListing:
        self.errors  # noqa: B018 - validates once
        return self.knot_listing
