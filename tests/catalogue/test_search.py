"""The catalogue search that filing, barriers and the API share: any word of a label, name or
title, numbers as whole words."""

import pytest

from catalogue.selectors import labels_for, search_normalise, tag_for_text, tag_search

pytestmark = pytest.mark.django_db


def test_a_word_of_a_title_finds_the_law_and_its_provisions() -> None:
    found = tag_search("offentlighets")
    assert found[0] == "law:2009:400"  # the law itself first
    assert all(tag == "law:2009:400" or tag.startswith("prov:2009:400#") for tag in found)
    assert len(found) > 1


def test_an_inner_word_of_a_compound_is_found() -> None:
    assert "law:2009:400" in tag_search("sekretesslag")
    assert "law:2009:400" in tag_search("SEKRETESS")


def test_numbers_match_whole_words_and_every_word_must_match() -> None:
    assert tag_search("27 kap. 48 §") == ["prov:2010:110#K27P48"]
    assert "prov:2010:110#K27P48" not in tag_search("2 kap. 48 §")
    assert tag_search("offentlighets sfb") == []


def test_search_by_kind() -> None:
    assert tag_search("Försäkringskassan", kind="agency") == ["agency:FK"]
    assert tag_search("") == []


def test_labels_and_names_lead_back_to_their_tag() -> None:
    assert tag_for_text("27 kap. 48 § sfb") == "prov:2010:110#K27P48"
    assert tag_for_text("Arbetsförmedlingen", "agency") == "agency:AF"
    assert tag_for_text("Arbetsförmedlingen", "law") is None
    assert tag_for_text("ingen sådan") is None
    assert labels_for(["agency:AF", "prov:2010:110#K27P48"]) == [
        "Arbetsförmedlingen",
        "27 kap. 48 § SFB",
    ]


def test_normalising_keeps_letters_numbers_and_the_section_sign() -> None:
    assert search_normalise("Offentlighets- och  sekretesslag (2009:400), 6 §") == (
        "offentlighets och sekretesslag 2009 400 6 §"
    )
