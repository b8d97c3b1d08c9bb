"""Personal data must be found in every written form, and ordinary case text must pass."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy.pii import classify_identity_number, find_pii, luhn_valid

BIRTH_DATES = st.dates(min_value=date(1901, 1, 1), max_value=date(2025, 12, 31))
SERIALS = st.integers(min_value=0, max_value=999)
FORMS = st.sampled_from(["short-dash", "short", "short-plus", "short-space", "long-dash", "long"])
CONTEXTS = st.sampled_from(
    [
        "{}",
        "Gäller deltagaren {} som",
        "(pnr {})",
        "ang {}, FK har",
        "Deltagaren ({}, bor i Täby) väntar.",
        "nr:{}.",
        "pnr.{}",
    ]
)


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit computed here, independently of the detector: double every other digit
    from the left, add the digits of the products, and complete the sum to a multiple of ten."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 - index % 2)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def test_the_check_digit_of_a_published_example() -> None:
    """Skatteverket's example 811218-9876 (the check digit 6), against both implementations."""
    assert luhn_check_digit("811218987") == 6
    assert luhn_valid("8112189876")
    assert not luhn_valid("8112189875")


def identity_number(born: date, serial: int, *, coordination: bool, form: str) -> str:
    """Write a valid personnummer or samordningsnummer the way people write them."""
    day = born.day + (60 if coordination else 0)
    yymmdd = f"{born:%y%m}{day:02d}"
    nine = f"{yymmdd}{serial:03d}"
    last_four = f"{serial:03d}{luhn_check_digit(nine)}"
    century = f"{born.year // 100}"
    return {
        "short-dash": f"{yymmdd}-{last_four}",
        "short": f"{yymmdd}{last_four}",
        "short-plus": f"{yymmdd}+{last_four}",
        "short-space": f"{yymmdd} {last_four}",
        "long-dash": f"{century}{yymmdd}-{last_four}",
        "long": f"{century}{yymmdd}{last_four}",
    }[form]


@settings(max_examples=400, deadline=None)
@given(born=BIRTH_DATES, serial=SERIALS, coordination=st.booleans(), form=FORMS, context=CONTEXTS)
def test_every_valid_identity_number_is_found(
    born: date, serial: int, coordination: bool, form: str, context: str
) -> None:
    number = identity_number(born, serial, coordination=coordination, form=form)
    text = context.format(number)
    hits = find_pii(text)
    expected_type = "samordningsnummer" if coordination else "personnummer"
    start = text.index(number)
    assert [(h.type, h.start, h.end) for h in hits] == [(expected_type, start, start + len(number))]
    assert hits[0].blocking


@settings(max_examples=200, deadline=None)
@given(born=BIRTH_DATES, serial=SERIALS, wrong=st.integers(min_value=1, max_value=9))
def test_wrong_check_digit_is_not_an_identity_number(born: date, serial: int, wrong: int) -> None:
    nine = f"{born:%y%m%d}{serial:03d}"
    digit = (luhn_check_digit(nine) + wrong) % 10
    assert find_pii(f"ärende {nine[:6]}-{nine[6:]}{digit} avslutat") == []


@pytest.mark.parametrize(
    ("century", "yymmdd", "expected"),
    [
        (None, "870514", "personnummer"),
        (None, "870574", "samordningsnummer"),
        (None, "871314", None),  # month 13
        (None, "870532", None),  # 32 May
        (None, "870592", None),  # samordningsnummer for 32 May
        ("19", "000229", "personnummer"),  # 1900 was no leap year, but 2000 was: 12 digits say 19
        (None, "000229", "personnummer"),
        ("19", "010229", None),
        ("17", "870514", None),  # century out of range
        ("29", "870514", None),
    ],
)
def test_identity_number_dates(century: str | None, yymmdd: str, expected: str | None) -> None:
    if century == "19" and yymmdd == "000229":
        expected = None  # 1900-02-29 does not exist
    assert classify_identity_number(century, yymmdd) == expected


def test_future_birth_is_not_plausible() -> None:
    future = datetime.now(UTC).date() + timedelta(days=400)
    nine = f"{future:%y%m%d}123"
    long_form = f"{future:%Y%m%d}-123{luhn_check_digit(nine)}"
    assert find_pii(long_form) == []


def test_luhn_matches_known_numbers() -> None:
    # The examples Skatteverket publishes use the test series 19xxxxxx-xxxx; this one is synthetic.
    assert luhn_valid("8112189876")
    assert not luhn_valid("8112189875")


@pytest.mark.parametrize(
    "text",
    [
        "Beslut enligt socialförsäkringsbalken (2010:110) och SFS 2001:453.",
        "Förordningen ( 2017:819 ) gäller.",
        "27 kap. 48 § SFB och 27:48 samma lag.",
        "Mötet hölls den 27 maj 2024, 2024-05-27 kl 14:30.",
        "Skulden är 4 500 kr, senare 12 345,50 kr och 1 000 000 kronor.",
        "dnr 2021/879 och dnr RS 2023/0456, RiR 2020:12, SOSFS 2013:1, AFFS 2015:1.",
        "Hon arbetar 27 timmar i veckan sedan vecka 12, 24 år gammal.",
        "Protokoll § 14, punkt 3. Referens AV-2026-00042.",
        "Handlingsplan 2 upprättad, Vägen 5 är lång.",
        "Bor i Upplands Väsby, samordningsförbundet Östra Södertörn.",
        "Kommunkod 0160 och 0162, lokal 1204.",
        "Ärendenummer 1234567890 hos kommunen.",  # not a valid date + check digit
    ],
)
def test_no_false_alarm_on_case_text(text: str) -> None:
    assert find_pii(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Deltagaren nås på +46 70 174 06 89.", "phone", "+46 70 174 06 89"),
        ("ring henne på 070-174 06 52 i dag", "phone", "070-174 06 52"),
        ("(070-1740618)", "phone", "070-1740618"),
        ("numret 08-465 004 27 för", "phone", "08-465 004 27"),
        ("tel 0046 8 123 456 78", "phone", "0046 8 123 456 78"),
        ("mejl ines.varglund84@example.com i stället", "email", "ines.varglund84@example.com"),
        ("från jonna.ekblad@example.se men", "email", "jonna.ekblad@example.se"),
        ("bor hos sin syster på Björkvägen 3 och", "address", "Björkvägen 3"),
        ("(bor på Sjövägen 7)", "address", "Sjövägen 7"),
        ("adress Storgatan 12 B, 3 tr", "address", "Storgatan 12 B"),
        ("på Drottning Kristinas väg 14", "address", "Drottning Kristinas väg 14"),
        ("Gäller Tindra Öhlund 8", "name", "Tindra Öhlund"),
        ("Patienten Ronja Bäckdal, 44 år", "name", "Ronja Bäckdal"),
        ("ringde till Karl-Erik Lindqvist om", "name", "Karl-Erik Lindqvist"),
        ("samtal med handläggare Eriksson Holmberg", "name", "Eriksson Holmberg"),
    ],
)
def test_contact_details_addresses_and_names(text: str, kind: str, found: str) -> None:
    hits = find_pii(text)
    assert [(h.type, h.text) for h in hits] == [(kind, found)]
    start = text.index(found)
    assert (hits[0].start, hits[0].end) == (start, start + len(found))


def test_names_warn_but_do_not_block() -> None:
    text = "Samir Qvarnlöf fick avslag, ring 070-1740618."
    assert [h.type for h in find_pii(text)] == ["name", "phone"]
    assert [h.type for h in find_pii(text) if h.blocking] == ["phone"]


def test_agency_after_a_first_name_is_not_a_surname() -> None:
    assert find_pii("Efter samtal med Maria Försäkringskassan ringde Af.") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_ordered_disjoint_spans(text: str) -> None:
    hits = find_pii(text)
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
    for before, after in zip(hits, hits[1:], strict=False):
        assert before.end <= after.start
