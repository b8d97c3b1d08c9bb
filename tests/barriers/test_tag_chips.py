"""A barrier's tags are edited with the filing form's chips and catalogue search: labels on
the page, tag ids posted."""

from django.test import Client
from django.urls import reverse

from barriers.models import Barrier
from barriers.services import barrier_create
from deviations.models import User
from tests.visible_text import raw_ids, visible_text

TAGS = ["agency:AF", "prov:2010:110#K27P48"]


def _barrier(analyst: User) -> Barrier:
    return barrier_create(by=analyst, title="Glapp", tags=TAGS)


def test_the_barrier_page_shows_labels_and_posts_ids(analyst_client: Client, analyst: User) -> None:
    barrier = _barrier(analyst)
    page = analyst_client.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    assert raw_ids(page) == []
    assert "27 kap. 48 § SFB" in visible_text(page)
    assert '<input type="checkbox" checked name="tags" value="prov:2010:110#K27P48">' in page
    assert "tag-chips-field" in page
    assert "js/tagchips.js" in page
    response = analyst_client.post(
        reverse("barriers:barrier_update", args=[barrier.pk]),
        {"title": "Glapp", "mandate_level": "1", "tags": ["agency:AF", "law:2009:400"]},
    )
    assert response.status_code == 302
    barrier.refresh_from_db()
    assert sorted(barrier.tags) == ["agency:AF", "law:2009:400"]


def test_labels_typed_without_the_script_are_understood(
    analyst_client: Client, analyst: User
) -> None:
    barrier = _barrier(analyst)
    response = analyst_client.post(
        reverse("barriers:barrier_update", args=[barrier.pk]),
        {"title": "Glapp", "mandate_level": "1", "tags": ["agency:AF", "OSL; Försäkringskassan"]},
    )
    assert response.status_code == 302
    barrier.refresh_from_db()
    assert sorted(barrier.tags) == ["agency:AF", "agency:FK", "law:2009:400"]


def test_an_unknown_word_is_refused_in_swedish_and_kept(
    analyst_client: Client, analyst: User
) -> None:
    barrier = _barrier(analyst)
    response = analyst_client.post(
        reverse("barriers:barrier_update", args=[barrier.pk]),
        {"title": "Glapp", "mandate_level": "1", "tags": ["agency:AF", "Ingen sådan lag"]},
        headers={"accept-language": "sv"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Finns inte i katalogen: “Ingen sådan lag”" in page
    assert raw_ids(page) == []
    barrier.refresh_from_db()
    assert barrier.tags == TAGS


def test_the_audit_trail_names_changed_tags_by_their_labels(
    analyst_client: Client, analyst: User
) -> None:
    barrier = _barrier(analyst)
    analyst_client.post(
        reverse("barriers:barrier_update", args=[barrier.pk]),
        {"title": "Glapp", "mandate_level": "1", "tags": ["agency:FK"]},
    )
    page = analyst_client.get(reverse("barriers:audit")).content.decode()
    assert "Försäkringskassan" in visible_text(page)
    assert raw_ids(page) == []
