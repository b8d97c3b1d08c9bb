"""The search page: one box over the deviations and the barriers a person may see.

It lives in barriers, the highest domain app, because it shows both; each list is searched by
its own filters (`DeviationFilterSet`'s `q`, the barrier list's `q`), so the page and the lists
always agree, and "Visa alla" opens the list with the same words.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from barriers.selectors import barrier_list
from core.requests import request_user
from core.search import query_parse, search, search_page
from deviations.filters import DeviationFilterSet, searched_text
from deviations.selectors import deviation_list

SHOWN = 10
QUERY_MAX = 200


@login_required
@require_safe
def search_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    text = request.GET.get("q", "").strip()
    context: dict[str, object] = {"searched": text[:QUERY_MAX], "too_long": len(text) > QUERY_MAX}
    if text and not context["too_long"] and query_parse(text):
        filters = DeviationFilterSet({"q": text}, queryset=deviation_list(user=user))
        deviations = filters.qs if filters.is_valid() else deviation_list(user=user).none()
        deviations = deviations.select_related("municipality")
        found = search_page(deviations, "-occurred_on", "-pk", number=1, per_page=SHOWN)
        barriers = search_page(
            search(barrier_list(user=user), text), "-updated_at", "-pk", number=1, per_page=SHOWN
        )
        query = urlencode({"q": text})
        context |= {
            "searched": searched_text(filters) or text,
            "query": query,
            "deviations": list(found.page),
            "deviation_count": found.page.paginator.count,
            "deviation_more_than": found.more_than,
            "deviations_url": f"{reverse('deviations:list')}?{query}",
            "barriers": list(barriers.page),
            "barrier_count": barriers.page.paginator.count,
            "barriers_url": f"{reverse('barriers:list')}?{query}",
            "may_see_barriers": barrier_list(user=user).exists(),
        }
    elif text and not context["too_long"]:
        context["only_stop_words"] = True
    return render(request, "search.html", context, status=400 if context["too_long"] else 200)
