"""Saved views, "Mina vyer": a person keeps the filters of a list under a name and opens the
list with them again from the start page or the list itself.

Apps register the lists that can be saved (`saved_view_page`) with a Swedish label; a view
stores only the URL name and the query string, so opening it runs the list's own filters
(and its own checks of who sees what) afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import SavedView
from core.start import StartItem, StartPanel, start_panel

NAME_MAX = 80
QUERY_MAX = 2_000
VIEWS_MAX = 50  # per person
_NOT_FILTERS = {"page", "export", "csrfmiddlewaretoken"}


@dataclass(frozen=True, slots=True)
class SavedPage:
    url_name: str
    label: str | Promise


_PAGES: dict[str, SavedPage] = {}


def saved_view_page(url_name: str, label: str | Promise) -> None:
    """Let people save the filters of the list at `url_name` (from the app's `ready()`)."""
    _PAGES[url_name] = SavedPage(url_name=url_name, label=label)


def saved_page(url_name: str) -> SavedPage | None:
    return _PAGES.get(url_name)


def view_query(query: str) -> str:
    """The filters of a query string: no page number, no export, empty values dropped."""
    pairs = [
        (key, value.strip())
        for key, value in parse_qsl(query, keep_blank_values=False)
        if key not in _NOT_FILTERS and value.strip()
    ]
    return urlencode(pairs)


def view_url(view: SavedView) -> str:
    base = reverse(view.page)
    return f"{base}?{view.query}" if view.query else base


def saved_views(user: Any) -> list[SavedView]:
    """A person's views on lists that still exist, by name."""
    return [v for v in SavedView.objects.filter(user=user) if v.page in _PAGES]


@transaction.atomic
def saved_view_save(*, user: Any, page: str, name: str, query: str) -> SavedView:
    """Save (or, under the same name on the same list, replace) a view. The name and the
    filters pass the personal-data gate when saved, as every text does."""
    if page not in _PAGES:
        raise DomainError(_("This list cannot be saved as a view."), code="invalid_page")
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the view a name."), code="required")
    if len(name) > NAME_MAX:
        raise DomainError(
            _("Use at most %(limit)d characters for the name.") % {"limit": NAME_MAX},
            code="too_long",
        )
    filters = view_query(query)
    if len(filters) > QUERY_MAX:
        raise DomainError(_("These filters are too long to save."), code="too_long")
    existing = SavedView.objects.filter(user=user, page=page, name=name).first()
    if existing is not None:
        existing.query = filters
        existing.save()
        return existing
    if SavedView.objects.filter(user=user).count() >= VIEWS_MAX:
        raise DomainError(
            _("You have %(limit)d saved views; remove one first.") % {"limit": VIEWS_MAX},
            code="too_many",
        )
    try:
        with transaction.atomic():
            return SavedView.objects.create(user=user, page=page, name=name, query=filters)
    except IntegrityError:  # saved twice at once: the other request won, which is the same
        return SavedView.objects.get(user=user, page=page, name=name)


def saved_view_delete(*, user: Any, pk: int) -> bool:
    deleted, _rows = SavedView.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


@start_panel("saved_views", order=90)
def saved_views_panel(user: Any, since: object) -> StartPanel | None:
    """The person's saved views, one click from the start page."""
    views = saved_views(user)
    if not views:
        return None
    return StartPanel(
        key="saved_views",
        title=_("My views"),
        count=len(views),
        url=reverse("saved_views"),
        items=tuple(
            StartItem(text=v.name, url=view_url(v), note=str(_PAGES[v.page].label))
            for v in views[:10]
        ),
        more=_("Manage my views"),
    )
