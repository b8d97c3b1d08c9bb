"""Tests that would notice: each one kills mutants of privacy/pii.py that the other tests let
live (`make mutants`, docs/privacy.md "Mutation testing"). The numbers are literal, known from
outside the detector, never built with its own check-digit function."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from privacy import pii
from privacy.pii import classify_identity_number, find_pii, luhn_valid


def found(text: str) -> list[tuple[str, str]]:
    return [(hit.type, hit.text) for hit in find_pii(text)]


# --- Identity numbers ---------------------------------------------------------------------

# Published examples: Skatteverket's test person Tolvan Tolvansson (19121212-1212), its
# example samordningsnummer (701063-2391) and the long-standing textbook number 640823-3234.
KNOWN_VALID = ["121212-1212", "19121212-1212", "640823-3234", "811218-9876"]
KNOWN_INVALID = ["121212-1213", "640823-3235", "811218-9870", "701063-2392"]


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_valid_numbers_are_found(number: str) -> None:
    assert found(f"Gäller {number} i dag") == [("personnummer", number)]


def test_a_known_samordningsnummer_is_found() -> None:
    assert found("Gäller 701063-2391 i dag") == [("samordningsnummer", "701063-2391")]


@pytest.mark.parametrize("number", KNOWN_INVALID)
def test_known_invalid_check_digits_are_not_found(number: str) -> None:
    assert found(f"Gäller {number} i dag") == []
    assert not luhn_valid(number.replace("-", ""))


def test_a_rejected_case_number_does_not_hide_a_real_number_after_it() -> None:
    """1234567890 fails the check digit, 1234567897 passes it but has month 34: neither is a
    personnummer, and the one after them still is."""
    assert found("Ärende 1234567890 gäller 850312-2387") == [("personnummer", "850312-2387")]
    assert found("Ärende 1234567897 gäller 850312-2387") == [("personnummer", "850312-2387")]


def test_a_date_and_time_do_not_hide_a_real_number_after_them() -> None:
    assert found("Möte 2024-05-27 1430, pnr 850312-2387") == [("personnummer", "850312-2387")]


def test_a_dashed_date_with_a_plus_before_the_serial_is_a_number() -> None:
    """`+` marks someone over a hundred; after a dashed date it is one number too."""
    assert found("85-03-12+2387") == [("personnummer", "85-03-12+2387")]


def test_twelve_digits_from_the_1800s_and_from_this_year() -> None:
    this_year = datetime.now(UTC).year
    assert classify_identity_number("18", "870514") == "personnummer"
    assert classify_identity_number("20", f"{this_year % 100:02d}0101") == "personnummer"
    assert (
        classify_identity_number(f"{(this_year + 1) // 100}", f"{(this_year + 1) % 100:02d}0101")
        is None
    )


def test_a_leap_day_needs_a_leap_year() -> None:
    assert classify_identity_number(None, "040229") == "personnummer"
    assert classify_identity_number(None, "030229") is None
    assert classify_identity_number(None, "030228") == "personnummer"


# --- Phone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring 08-123 45 nu", []),  # 6 national digits: too short
        ("ring 08-123 456 nu", [("phone", "08-123 456")]),  # 7: the shortest
        ("ring 070-123 45 67 nu", [("phone", "070-123 45 67")]),  # 9: the longest
        ("ring 07012345678 nu", []),  # 10 in one run: too long, nothing to cut off
        ("ring 08-123 45 67 89 nu", [("phone", "08-123 45 67")]),  # 10: the last group is cut
        ("ring 08-123 456 78 90 nu", [("phone", "08-123 456 78")]),  # 11: cut too
        ("ring +46 8 123 45 nu", []),  # 6 after the country code
    ],
)
def test_phone_length_limits_at_both_ends(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_a_too_short_number_does_not_hide_a_phone_after_it() -> None:
    assert found("Rum 08-12 34, ring 070-123 45 67") == [("phone", "070-123 45 67")]


def test_slashed_date_ranges_are_no_phone_and_hide_none_after_them() -> None:
    assert found("Semester 01/07–31/07.") == []
    assert found("Semester 01/07–31/07, ring 070-123 45 67") == [("phone", "070-123 45 67")]


# --- Street addresses ----------------------------------------------------------------------


def test_an_address_after_a_not_a_street_word() -> None:
    assert found("Efter mötet på Torget Storgatan 12 B") == [("address", "Storgatan 12 B")]


def test_a_duration_is_no_house_number_and_hides_no_address_after_it() -> None:
    assert found("Praktik på Hamnkajen 4 veckor till.") == []
    assert found("Hamnkajen 4 veckor, sedan Storgatan 12") == [("address", "Storgatan 12")]


def test_a_unit_word_at_the_start_of_the_text_does_not_matter() -> None:
    assert found("År 2024 flyttade hon till Storgatan 12.") == [("address", "Storgatan 12")]


def test_a_capitalised_street_with_any_suffix_and_a_lower_case_word_before_one() -> None:
    """`-parken` counts only capitalised; `arbetsplatsen 3` is no address and hides none."""
    assert found("bor på Sjöparken 5") == [("address", "Sjöparken 5")]
    assert found("på arbetsplatsen 3 dagar") == []
    text = "på arbetsplatsen 3 tillsammans, bor på Storgatan 12"
    assert found(text) == [("address", "Storgatan 12")]


# --- Names ---------------------------------------------------------------------------------


def test_the_name_lists_are_read_with_their_marks() -> None:
    names, words = pii._load_names("first_names.txt")
    assert {"Kalle", "Hans", "Amra"} <= names
    assert "Hans" in words
    assert "Kalle" not in words
    assert all(name and name[0] not in "#~" for name in names)
    assert len(names) > 5000


def test_double_barrelled_names() -> None:
    """The last part of a double surname counts (`Nowak`); the first part of a double first
    name (`Anna`)."""
    assert found("Hans Lind-Nowak ringde") == [("name", "Hans Lind-Nowak")]
    assert found("Anna-Karin Reed ringde") == [("name", "Anna-Karin Reed")]


def test_a_sentence_start_is_told_by_the_character_before() -> None:
    """After a full stop an unknown word before a surname-like one is no name; after a
    letter (`grupp X`) it is."""
    assert found("Det gick bra. Vid Ljungby var det tyst.") == []
    assert found("Samtal med grupp X Nemo Sävström.") == [("name", "Nemo Sävström")]


# --- The cheap gates -------------------------------------------------------------------------


def test_ordinary_text_never_runs_the_full_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The speed of filing rests on the gates: text without `@`, digit runs, a phone prefix
    or a street number skips the patterns."""

    def must_not_run(text: str) -> list[pii._Found]:
        raise AssertionError("a full pattern ran on ordinary text")

    for name in ("_emails", "_identity_numbers", "_phones", "_addresses"):
        monkeypatch.setattr(pii, name, must_not_run)
    assert found("Hon fick avslag på sjukpenningen i maj, vecka 12 och kl 14.") == []


def test_a_number_broken_over_two_lines_is_a_phone_not_two_times() -> None:
    """ "08.10" and "00.00" on one line read as times of day; on two lines they are a Stockholm
    number broken where a phone or a narrow column breaks it (found by generated numbers)."""
    assert [(h.type, h.text) for h in find_pii("ring 08.10\n00.00")] == [("phone", "08.10\n00.00")]
    assert find_pii("Mötet 08.30 - 09.15, sedan 14.15 16.00.") == []
