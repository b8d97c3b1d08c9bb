"""No raw tag id where people read: timeline, triage messages, list filter; rule names and
numbers in Swedish (issue 15, "People's words, not ids")."""

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.presentation import rule_label
from core.errors import DomainError
from deviations.models import Deviation, Tagging, Unit, User
from deviations.triage import TriageDecision, deviation_triage
from tests.factories import DeviationFactory, TaggingFactory, tag_decide
from tests.visible_text import raw_ids, visible_text


def _tagged(unit: Unit) -> Deviation:
    deviation = DeviationFactory(unit=unit)
    for tag_id, rule in (
        ("agency:AF", "agency name"),
        ("law:2010:110", "law abbreviation"),
        ("prov:2010:110#K27P48", "chapter-section + law abbreviation"),
    ):
        TaggingFactory(
            deviation=deviation,
            tag_id=tag_id,
            state="suggested",
            origin="tagger",
            rule=rule,
            confidence=0.95,
        )
    return deviation


def test_detail_and_timeline_speak_in_labels(
    analyst_client: Client, analyst: User, taby_unit: Unit
) -> None:
    deviation = _tagged(taby_unit)
    tag_decide(
        tagging=deviation.taggings.get(tag_id="agency:AF"),
        state=Tagging.State.CONFIRMED,
        by=analyst,
    )
    tag_decide(
        tagging=deviation.taggings.get(tag_id="law:2010:110"),
        state=Tagging.State.REJECTED,
        by=analyst,
    )
    page = analyst_client.get(deviation.get_absolute_url()).content.decode()
    text = visible_text(page)
    assert raw_ids(page) == []
    assert "Taggen Arbetsförmedlingen bekräftad" in text
    assert "Taggen SFB avvisad" in text
    assert "regel: myndighetens namn" in text
    assert "regel: kapitel och paragraf + lagförkortning" in text
    assert "säkerhet 0,95" in text
    assert "0.95" not in text
    assert 'title="agency:AF"' in page  # the id stays on hover for analysts


def test_staff_get_no_ids_even_on_hover(
    staff_client: Client, staff: User, analyst: User, taby_unit: Unit
) -> None:
    deviation = _tagged(taby_unit)
    deviation.reporter = staff
    deviation.save()
    tag_decide(
        tagging=deviation.taggings.get(tag_id="agency:AF"),
        state=Tagging.State.CONFIRMED,
        by=analyst,
    )
    page = staff_client.get(deviation.get_absolute_url()).content.decode()
    assert "Arbetsförmedlingen" in page
    assert "agency:AF" not in page


def test_triage_page_and_its_messages_speak_in_labels(
    analyst_client: Client, taby_unit: Unit
) -> None:
    deviation = _tagged(taby_unit)
    url = reverse("triage:deviation", kwargs={"reference": deviation.reference})
    page = analyst_client.get(url).content.decode()
    assert raw_ids(page) == []
    response = analyst_client.post(
        url,
        {
            "tag:agency:AF": "confirmed",
            "tag:law:2010:110": "rejected",
            "add": "Försäkringskassan",
            "action": "save",
        },
        follow=True,
    )
    page = response.content.decode()
    text = visible_text(page)
    assert raw_ids(page) == []
    assert "bekräftade Arbetsförmedlingen" in text
    assert "avvisade SFB" in text
    assert "lade till Försäkringskassan" in text


def test_triage_refusals_name_tags_by_their_labels(analyst: User, taby_unit: Unit) -> None:
    deviation = _tagged(taby_unit)
    with pytest.raises(DomainError) as not_its_tag:
        deviation_triage(
            deviation=deviation, decision=TriageDecision(confirm=["agency:FK"]), by=analyst
        )
    assert str(not_its_tag.value.message).startswith("Försäkringskassan är ingen tagg på")
    with pytest.raises(DomainError) as both:
        deviation_triage(
            deviation=deviation,
            decision=TriageDecision(confirm=["agency:AF"], reject=["agency:AF"]),
            by=analyst,
        )
    assert "Arbetsförmedlingen" in str(both.value.message)
    assert "agency:" not in str(both.value.message)


def test_list_filter_shows_the_label_of_a_linked_tag_and_takes_labels(
    analyst_client: Client, analyst: User, taby_unit: Unit
) -> None:
    tagged, other = _tagged(taby_unit), DeviationFactory(unit=taby_unit)
    tag_decide(
        tagging=tagged.taggings.get(tag_id="prov:2010:110#K27P48"),
        state=Tagging.State.CONFIRMED,
        by=analyst,
    )
    linked = analyst_client.get(reverse("deviations:list"), {"tag": "prov:2010:110#K27P48"})
    page = linked.content.decode()
    assert raw_ids(page) == []
    assert 'value="27 kap. 48 § SFB"' in page  # the link's id, shown as people write it
    assert tagged.reference in page
    assert other.reference not in page
    for params in ({"tag": "27 kap. 48 § SFB"}, {"provision": "27 KAP. 48 § sfb"}):
        page = analyst_client.get(reverse("deviations:list"), params).content.decode()
        assert tagged.reference in page
        assert other.reference not in page
    page = analyst_client.get(reverse("deviations:list"), {"agency": "Arbetsförmedlingen"})
    assert other.reference not in page.content.decode()


def test_every_rule_of_the_tagger_has_a_swedish_name() -> None:
    from catalogue.tagging import engine

    rules = [
        engine.RULE_SFS,
        engine.RULE_LAW_ABBREVIATION,
        engine.RULE_LAW_NAME,
        engine.RULE_IMPLIED,
        engine.RULE_TERM,
        *engine.RULE_AGENCY.values(),
        # the ways a reference finds its law, each also part of "chapter-section + <how>"
        *engine._HOW.values(),
        "earlier law in text",
        "later law in sentence",
    ]
    for rule in rules:
        assert rule_label(rule) != rule, rule
        assert rule_label(engine.RULE_REF.format(how=rule)).endswith(rule_label(rule))
    assert rule_label("agency name") == "myndighetens namn"
    assert rule_label("något nytt") == "något nytt"  # unknown rules show as stored
