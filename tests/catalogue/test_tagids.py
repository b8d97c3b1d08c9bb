import pytest

from catalogue.tagids import is_tag_id, normalise_part, parse_tag_id, provision_tag_id


@pytest.mark.parametrize(
    ("sfs", "chapter", "section", "expected"),
    [
        ("2010:110", "27", "48", "prov:2010:110#K27P48"),
        ("2000:628", None, "6", "prov:2000:628#P6"),
        ("2001:453", "11", "11 b", "prov:2001:453#K11P11b"),
        ("2010:110", "28 A", None, "prov:2010:110#K28a"),
        ("2010:110", "30", None, "prov:2010:110#K30"),
    ],
)
def test_provision_ids_follow_the_lagen_nu_convention(sfs, chapter, section, expected) -> None:
    assert provision_tag_id(sfs, chapter, section) == expected


def test_provision_without_chapter_or_section_is_refused() -> None:
    with pytest.raises(ValueError, match="chapter or a section"):
        provision_tag_id("2010:110", None, " ")


def test_parsed_provision_implies_its_law() -> None:
    parsed = parse_tag_id("prov:2017:819#K5P2a")
    assert (parsed.kind, parsed.sfs, parsed.chapter, parsed.section) == (
        "provision",
        "2017:819",
        "5",
        "2a",
    )
    assert parsed.law_tag_id == "law:2017:819"


@pytest.mark.parametrize(
    "bad",
    [
        "agency:fk",
        "law:2010",
        "prov:2010:110#",
        "prov:2010:110",
        "law:SOSFS 2013:1",
        "tag",
        "",
        "prov:2010:110#K27P48x1",
    ],
)
def test_malformed_ids_are_not_tags(bad: str) -> None:
    assert not is_tag_id(bad)


@pytest.mark.parametrize(
    "good",
    [
        "agency:FK",
        "agency:MIGRATIONSVERKET",
        "law:2009:400",
        "prov:2010:110#K27P48",
        "prov:1993:387#P9",
    ],
)
def test_well_formed_ids_are_tags(good: str) -> None:
    assert is_tag_id(good)


def test_normalise_part_joins_letters_in_lower_case() -> None:
    assert [normalise_part(p) for p in ("28 a", "11B", " 7 ", None, "")] == [
        "28a",
        "11b",
        "7",
        None,
        None,
    ]
