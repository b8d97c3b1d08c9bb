"""Template tags for search and saved views: `{% snippet %}` and `{% saved_views_bar %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from core import search as core_search
from core.models import SavedView
from core.saved_views import saved_page, view_query, view_url

register = template.Library()


@register.simple_tag
def snippet(text: str, query: str = "", length: int = 220) -> SafeString:
    """The passage of `text` around the words searched for, hits marked."""
    return core_search.snippet(text or "", query or "", length=length)


@register.inclusion_tag("includes/saved_views_bar.html", takes_context=True)
def saved_views_bar(context: dict[str, Any], page: str, query: str = "") -> dict[str, Any]:
    """The person's saved views of this list, and a form to save the filters shown now."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or saved_page(page) is None:
        return {"shown": False}
    views = SavedView.objects.filter(user=user, page=page)
    filters = view_query(query)
    return {
        "shown": True,
        "page": page,
        "query": filters,
        "views": [
            {"name": v.name, "url": view_url(v), "current": v.query == filters} for v in views
        ],
        "csrf_token": context.get("csrf_token"),
    }
