"""A barrier made from a large knot rests on every supporting deviation; its page lists them
25 at a time, and choosing examples on one page keeps those chosen on another."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from barriers.models import Barrier, BarrierEvidence
from barriers.services import barrier_create_from_knot, barrier_examples_set
from deviations.models import User
from tests.barriers.conftest import FileDeviations, make_knot


def _barrier(file_deviations: FileDeviations, analyst: User, count: int = 31) -> Barrier:
    return barrier_create_from_knot(knot=make_knot(file_deviations(count)), by=analyst)


def test_the_evidence_comes_a_page_at_a_time_but_all_of_it_counts(
    analyst_client: Client, file_deviations: FileDeviations, analyst: User
) -> None:
    barrier = _barrier(file_deviations, analyst)
    assert barrier.evidence.count() == 31  # the barrier takes every supporting deviation
    url = reverse("barriers:detail", args=[barrier.pk])
    first = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="sv")
    html = first.content.decode()
    assert len(first.context["evidence"]) == 25
    assert first.context["evidence_count"] == 31
    assert "Visar 1–25 av 31" in html
    assert "Underlag: 31 avvikelser" in html
    assert 'href="?page=2#evidence"' in html
    second = analyst_client.get(url, {"page": 2}, HTTP_ACCEPT_LANGUAGE="sv")
    assert "Visar 26–31 av 31" in second.content.decode()
    refs = {row.deviation.reference for row, _ in first.context["evidence"]}
    refs |= {row.deviation.reference for row, _ in second.context["evidence"]}
    assert refs == set(barrier.evidence.values_list("reference", flat=True))
    assert analyst_client.get(url, {"page": "x"}).status_code == 200


def test_examples_chosen_on_another_page_stay_examples(
    analyst_client: Client, file_deviations: FileDeviations, analyst: User
) -> None:
    barrier = _barrier(file_deviations, analyst)
    chosen = list(barrier.evidence.order_by("reference")[:2])
    barrier_examples_set(barrier=barrier, deviations=chosen, by=analyst)
    url = reverse("barriers:detail", args=[barrier.pk])
    second = analyst_client.get(url, {"page": 2})
    on_page = [row.deviation.reference for row, _ in second.context["evidence"]]
    assert not {d.reference for d in chosen} & set(on_page)  # examples are listed first
    analyst_client.post(
        reverse("barriers:barrier_examples", args=[barrier.pk]),
        {"shown": on_page, "examples": [on_page[0]]},
    )
    examples = set(
        BarrierEvidence.objects.filter(barrier=barrier, is_example=True).values_list(
            "deviation__reference", flat=True
        )
    )
    assert examples == {chosen[0].reference, chosen[1].reference, on_page[0]}
    # Unticking on the page where an example is shown still takes it away.
    first = analyst_client.get(url)
    on_first = [row.deviation.reference for row, _ in first.context["evidence"]]
    analyst_client.post(
        reverse("barriers:barrier_examples", args=[barrier.pk]),
        {"shown": on_first, "examples": [chosen[0].reference]},
    )
    examples = set(
        BarrierEvidence.objects.filter(barrier=barrier, is_example=True).values_list(
            "deviation__reference", flat=True
        )
    )
    assert examples == {chosen[0].reference}
