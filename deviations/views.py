"""Deviation pages: thin views over selectors and the shared FilterSet."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from deviations.filters import DeviationFilterSet
from deviations.history import deviation_timeline
from deviations.models import User
from deviations.selectors import deviation_get, deviation_list, tagging_list


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - login_required guarantees it
    return request.user


@login_required
def deviation_list_view(request: HttpRequest) -> HttpResponse:
    """Visible deviations, filtered; invalid filter values are shown next to their fields."""
    visible = deviation_list(user=_user(request))
    filterset = DeviationFilterSet(request.GET or None, queryset=visible)
    rows = visible.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    page = Paginator(rows.order_by("-occurred_on", "-reference"), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deviations/deviation_list.html",
        {"filter": filterset, "page_obj": page, "query": query.urlencode()},
    )


@login_required
def deviation_detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    deviation = deviation_get(user=_user(request), reference=reference)
    return render(
        request,
        "deviations/deviation_detail.html",
        {
            "deviation": deviation,
            "taggings": tagging_list(deviation=deviation),
            "timeline": deviation_timeline(deviation=deviation),
        },
    )
