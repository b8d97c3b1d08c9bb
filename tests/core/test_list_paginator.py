"""Deep pages read ids first, then rows: the same pages as Django's paginator gives."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator

from core.search import ListPaginator
from deviations.models import Deviation
from tests.factories import DeviationFactory


@pytest.mark.django_db
@pytest.mark.parametrize("orphans", [0, 2])
def test_every_page_holds_the_same_rows_in_the_same_order(monkeypatch, orphans) -> None:
    DeviationFactory.create_batch(23)
    monkeypatch.setattr(ListPaginator, "deep", 0)  # every page the deep way
    rows = Deviation.objects.select_related("unit").order_by("-occurred_on", "-reference")
    plain, deep = Paginator(rows, 4, orphans=orphans), ListPaginator(rows, 4, orphans=orphans)
    assert deep.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [d.reference for d in plain.page(number)]
        page = deep.page(number)
        assert [d.reference for d in page] == expected
        assert (page.start_index(), page.end_index()) == (
            plain.page(number).start_index(),
            plain.page(number).end_index(),
        )


@pytest.mark.django_db
def test_a_distinct_list_pages_the_same(monkeypatch) -> None:
    DeviationFactory.create_batch(9)
    monkeypatch.setattr(ListPaginator, "deep", 0)
    rows = Deviation.objects.filter(unit__isnull=False).distinct().order_by("-reported_at", "pk")
    pages = [[d.pk for d in ListPaginator(rows, 2).page(n)] for n in range(1, 6)]
    assert sum(pages, []) == list(rows.values_list("pk", flat=True))
