"""The shipped statute register: predecessors and cooperation laws that welfare cases cite are
known by number, name and abbreviation, and an abbreviation two versions share resolves by date.
"""

from __future__ import annotations

from datetime import date

import pytest

from catalogue.schema import read_catalogue
from catalogue.tagging import suggest_tags
from tests.catalogue.shipped import default_catalogue


def laws_tagged(text: str, on: date) -> set[str]:
    found = suggest_tags(text, on=on, catalogue=default_catalogue())
    return {s.tag_id for s in found if s.tag_id.startswith("law:")}


@pytest.mark.parametrize(
    ("text", "on", "expected"),
    [
        pytest.param("Enligt HSL ska regionen erbjuda vård", date(2016, 5, 2), {"law:1982:763"}),
        pytest.param("Enligt HSL ska regionen erbjuda vård", date(2024, 5, 2), {"law:2017:30"}),
        pytest.param("beslutet enligt FL överklagades", date(2015, 3, 1), {"law:1986:223"}),
        pytest.param("beslutet enligt FL överklagades", date(2024, 3, 1), {"law:2017:900"}),
        pytest.param("beslut enligt 3 kap. 7 § AFL", date(2009, 1, 1), {"law:1962:381"}),
        pytest.param("lagen om allmän försäkring gällde då", date(2009, 1, 1), {"law:1962:381"}),
        pytest.param("beslutet fattades enligt LASS", date(2008, 1, 1), {"law:1993:389"}),
        pytest.param("kassan tillämpar LAK", date(2024, 1, 1), {"law:1997:239"}),
        pytest.param(
            "enligt lag (2017:612) om samverkan vid utskrivning från sluten hälso- och sjukvård",
            date(2024, 1, 1),
            {"law:2017:612"},
        ),
        pytest.param(
            "lagen om samverkan vid utskrivning från sluten hälso- och sjukvård gäller",
            date(2024, 1, 1),
            {"law:2017:612"},
        ),
        pytest.param("socialtjänstlagen (1980:620) gällde", date(1999, 1, 1), {"law:1980:620"}),
        # "gamla SoL" is the version the current one replaced, not the first ever.
        pytest.param("enligt gamla SoL", date(2025, 11, 3), {"law:2001:453"}),
        # Predecessors share their successor's name; the event date picks the version.
        pytest.param(
            "socialtjänsten hänvisade till sekretesslagen", date(2005, 3, 1), {"law:1980:100"}
        ),
        pytest.param(
            "socialtjänsten hänvisade till sekretesslagen", date(2015, 3, 1), {"law:2009:400"}
        ),
        pytest.param(
            "Offentlighets- och sekretesslagen hindrar utbytet", date(2015, 3, 1), {"law:2009:400"}
        ),
        pytest.param("ansökan enligt skuldsaneringslagen", date(2000, 1, 1), {"law:1994:334"}),
        pytest.param("ansökan enligt skuldsaneringslagen", date(2010, 1, 1), {"law:2006:548"}),
        pytest.param("ansökan enligt skuldsaneringslagen", date(2020, 1, 1), {"law:2016:675"}),
        pytest.param("etableringslagen gäller", date(2014, 1, 1), {"law:2010:197"}),
        pytest.param("etableringslagen gäller", date(2019, 1, 1), {"law:2017:584"}),
        pytest.param(
            "ersättning enligt lagen om arbetslöshetsförsäkring", date(1995, 1, 1), {"law:1973:370"}
        ),
        pytest.param(
            "ersättning enligt lagen om arbetslöshetsförsäkring", date(2005, 1, 1), {"law:1997:238"}
        ),
        pytest.param(
            "Landstinget fakturerar enl lagen om kommunernas betalningsansvar",
            date(2012, 3, 12),
            {"law:1990:1404"},
        ),
        pytest.param("enligt utlänningslagen", date(2004, 1, 1), {"law:1989:529"}),
        pytest.param("enligt utlänningslagen", date(2010, 1, 1), {"law:2005:716"}),
    ],
)
def test_statutes_cited_in_welfare_cases_are_tagged(text: str, on: date, expected: set[str]):
    assert laws_tagged(text, on) == expected


def test_every_shipped_law_names_its_source_and_replacements_point_forward():
    laws = read_catalogue().laws
    by_sfs = {law["sfs"]: law for law in laws if law["sfs"]}
    assert all(law.get("source") for law in laws)
    for law in by_sfs.values():
        if law["replaced_by"]:
            successor = by_sfs[law["replaced_by"]]
            assert law["in_force_to"]
            assert successor["in_force_from"]
            assert law["in_force_to"] < successor["in_force_from"]


def test_a_large_catalogue_keeps_what_the_lexicon_learnt_from_texts(monkeypatch):
    """With more catalogue words than the cache limit (a full statute register), learnt words
    must survive the next text; starting over for every text made tagging 10,000 times slower."""
    from catalogue.tagger_catalogue import catalogue_from_files
    from catalogue.tagging import lexicon

    monkeypatch.setattr(lexicon, "LOOSE_CACHE_LIMIT", 10)
    catalogue = catalogue_from_files()
    day = date(2024, 1, 1)
    suggest_tags("sjukpenningärendet drog ut på tiden", on=day, catalogue=catalogue)
    suggest_tags("ett helt annat ord", on=day, catalogue=catalogue)
    assert "sjukpenningärendet" in catalogue.lexicon._plans


def test_a_provision_of_the_old_secrecy_act_is_tagged_as_its_own_and_bridged_to_osl():
    """Sekretesslagen 7 kap. 4 § in a 2005 text is the old act's provision, and the concordance
    leads it to OSL 26 kap. 1 § (secrecy in social services)."""
    found = suggest_tags(
        "enligt 7 kap. 4 § sekretesslagen fick uppgiften inte lämnas",
        on=date(2005, 3, 1),
        catalogue=default_catalogue(),
    )
    assert "prov:1980:100#K7P4" in {s.tag_id for s in found}
    lines = read_catalogue().concordance
    line = next(
        line
        for line in lines
        if (line["old"]["law"], line["old"]["chapter"], line["old"]["section"])
        == ("1980:100", "7", "4")
    )
    assert line["new"][0] == {"law": "2009:400", "chapter": "26", "section": "1"}
