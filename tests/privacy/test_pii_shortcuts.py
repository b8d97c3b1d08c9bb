"""The shortcuts that make `find_pii` quick must find exactly what the full patterns find.

The address pattern only runs in windows around the places where a street number can stand,
the identity and phone patterns only where they can start, and recent texts are remembered.
Each test compares a shortcut with the plain full scan, or pins what the memo must not change.
"""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from privacy import pii
from privacy.pii import find_pii


def found(text: str) -> list[tuple[str, str]]:
    return [(hit.type, hit.text) for hit in find_pii(text)]


def addresses_everywhere(text: str) -> list[tuple[str, int, int]]:
    """The address pattern over the whole text, as before the windows, behind the same gate."""
    return pii._addresses(text) if pii._street_number_possible(text) else []


def addresses_in_windows(text: str) -> list[tuple[str, int, int]]:
    windows = pii._street_windows(text)
    return pii._addresses(text, windows) if windows else []


LONG_RUN = "Deltagaren har väntat länge på besked och ingen tar ansvar för helheten. " * 12

ADDRESS_TEXTS = [
    "Björkvägen 3",
    "Björkvägen 3 B",
    "Björkvägen 3, hon bor där sedan i våras.",
    "Hon bor numera på Björkvägen 3",
    "Hon bor numera på Björkvägen 3B",
    "Storgatan 12 och Björkvägen 3 ligger nära varandra.",
    "Storgatan 12, Björkvägen 3, Kristinas väg 7 och Östra Kristinas väg 9 A",
    LONG_RUN + "Han har flyttat till Björkvägen 3.",
    "Björkvägen 3. " + LONG_RUN,
    LONG_RUN + "Storgatan 12" + LONG_RUN + "Kyrkbacken 4",
    "Torget Storgatan 12 B, Östra Långgatan 5",
    "Drottning Kristinas väg 45",
    "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaagatan 5",
    "på arbetsplatsen 3 dagar, bor på storgatan 12",
    "Storgatan 12 dagar",  # a unit after the number: no address
    "Storgatan 12345",  # too long a number
    "Storgatan 12:an, Storgatan 1/2, Storgatan 12.5",
    # The regex engine takes a dotless ı for i, str.lower does not: a full scan finds this
    # street once another street opens the gate, so the windows must find it too.
    "Storgatan 5 och Långstıgen 3",
]


def test_the_address_windows_find_what_a_full_scan_finds() -> None:
    for text in ADDRESS_TEXTS:
        assert addresses_in_windows(text) == addresses_everywhere(text), text


def test_addresses_at_the_edges_and_after_long_text() -> None:
    assert found("Björkvägen 3") == [("address", "Björkvägen 3")]
    assert found("Hon bor på Björkvägen 3 B") == [("address", "Björkvägen 3 B")]
    assert found(LONG_RUN + "Han bor på Storgatan 12.") == [("address", "Storgatan 12")]
    assert found("Storgatan 12 och Björkvägen 3 ligger nära.") == [
        ("address", "Storgatan 12"),
        ("address", "Björkvägen 3"),
    ]
    assert found("Drottning Kristinas väg 45") == [("address", "Drottning Kristinas väg 45")]


_ADDRESS_WORDS = [
    "Björkvägen", "Storgatan", "Kristinas", "väg", "Östra", "storgatan", "Torget", "arbetsplatsen",
    "3", "12", "4 B", "12345", "dagar", "kr", "och", "bor", "på", ",", ".", "\n", "Stıgen",
    "Lillgränd", "GATAN", "allé", "x" * 40, "Sjöparken", "12:an",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ADDRESS_WORDS), max_size=40), st.sampled_from([" ", "", "  "]))
def test_address_windows_on_generated_text(words: list[str], glue: str) -> None:
    text = glue.join(words)
    assert addresses_in_windows(text) == addresses_everywhere(text)


_NUMBER_PIECES = [
    "870514-9832", "19660918-9821", "070-174 06 52", "+46 70 174 06 89", "08-465 004 27",
    "(070) 123 45 67", "0046 70 123 45 67", "2024-05-14", "2021/879", "14:30", "0", "00", "+",
    "(", "-", ".", "/", " ", ",", "5", "12", "1234", "kl", "tel", "O", "\n",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_NUMBER_PIECES), max_size=30))
def test_identity_and_phone_patterns_run_where_they_can_start(pieces: list[str]) -> None:
    text = "".join(pieces)
    for pattern, starts in (
        (pii._IDENTITY_RE, pii._IDENTITY_STARTS),
        (pii._PHONE_RE, pii._PHONE_STARTS),
    ):
        expected = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in pii._matches_at(pattern, starts, text)] == expected
    # The gates' first match is where the search may begin.
    if gate := pii._IDENTITY_GATE.search(text):
        assert pii._identity_numbers(text, gate.start()) == pii._identity_numbers(text)
    if gate := pii._PHONE_GATE.search(text):
        assert pii._phones(text, max(0, gate.start() - 1)) == pii._phones(text)


def test_the_phone_gate_opens_as_before() -> None:
    before = re.compile(r"(?:\+|00) ?46|0\d")
    for text in ["0046 70", "+46 70", "+ 46", "00 46", "1 2 3", "0", "a0b", "007"]:
        assert bool(pii._PHONE_GATE.search(text)) == bool(before.search(text))


# --- The memo ----------------------------------------------------------------------------------


def test_the_same_text_twice_gives_equal_but_separate_lists() -> None:
    text = "Ring 070-174 06 52 eller skriv till ines.varglund84@example.com"
    first = find_pii(text)
    first.append(first[0])  # a caller changing its list
    first.clear()
    second = find_pii(text)
    third = find_pii(text)
    assert second == third
    assert second is not third
    assert [hit.type for hit in second] == ["phone", "email"]


def test_a_remembered_hit_still_points_into_the_original_writing() -> None:
    # A soft hyphen and a non-breaking space move and change characters when normalised.
    text = "Gäller 870514\u00ad\u20139832 och tel 070\u00a0174 06 52, inget mer."
    for _ in range(2):  # the second answer comes from the memo
        hits = find_pii(text)
        assert [hit.type for hit in hits] == ["personnummer", "phone"]
        for hit in hits:
            assert text[hit.start : hit.end] == hit.text


def test_the_memo_is_bounded() -> None:
    for number in range(pii.MEMO_SIZE + 100):
        find_pii(f"Ärende {number} utan personuppgifter.")
    info = pii._find_pii_memo.cache_info()
    assert info.maxsize == pii.MEMO_SIZE
    assert info.currsize <= pii.MEMO_SIZE


def test_the_memo_gives_what_the_detector_gives() -> None:
    texts = ADDRESS_TEXTS + ["Tindra Öhlund ringde från 08-465 004 27.", "19660918-9821"]
    for text in texts * 2:
        assert find_pii(text) == list(pii._find_pii(text))


def test_long_texts_are_not_remembered() -> None:
    """A description or a file's text is checked afresh: kept, it would hold megabytes and keep
    refused personal data in the process."""
    pii._find_pii_memo.cache_clear()
    long = "Deltagaren har väntat länge. " * 20 + "Ring 070-174 06 52."
    assert len(long) > pii.MEMO_MAX_CHARS
    assert [hit.type for hit in find_pii(long)] == ["phone"]
    find_pii("Kort text, 070-174 06 52.")
    assert pii._find_pii_memo.cache_info().currsize == 1


# --- Byte-level gates ---------------------------------------------------------------------------

_GATE_PIECES = [
    *_NUMBER_PIECES, "\u0663", "\uff10", "\u00b2", "\u00a0", "\u00ad", "\u2013", "Ω", "é", "a",
    "+46", "+ 46", "85O3", "l2",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_GATE_PIECES), max_size=30))
def test_the_byte_gates_open_where_the_gate_patterns_match(pieces: list[str]) -> None:
    """`_gates` reads `[0-9]` for `\\d`: the normalised text has no other digit."""
    normal = pii._normalise("".join(pieces)).text
    assert all(char in "0123456789" for char in normal if char.isdecimal())
    identity = pii._IDENTITY_GATE.search(normal)
    phone = pii._PHONE_GATE.search(normal)
    expected = (identity.start() if identity else -1, phone.start() if phone else -1)
    assert pii._gates(normal) == expected


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_GATE_PIECES), max_size=30))
def test_the_latin1_shortcut_normalises_as_the_general_path(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert pii._normalise(text) == pii._normalise_general(text)


def test_nfkc_changes_latin1_text_only_at_the_marked_characters() -> None:
    """No two Latin-1 characters compose or reorder under NFKC (Latin-1 has no combining
    mark), so checking one character at a time is checking the text."""
    import unicodedata

    stable = [chr(i) for i in range(256) if chr(i) not in pii._LATIN1_NEEDS_LOOK]
    assert all(unicodedata.is_normalized("NFKC", char) for char in stable)
    pairs = "".join(a + b for a in stable for b in stable)
    assert unicodedata.is_normalized("NFKC", pairs)


_NAME_PIECES = [
    "Tindra", "Öhlund", "Anna", "Lind-Hadžić", "Nemo", "Sävström", "Af", "FK", "hon", "och", " ",
    "  ", "-", ".", ",", "\n", "Hans", "Per", "Björn", "Åsa-Lena", "Yılmaz", "Łukasz", "2", "_",
    "ª", "É", "é", "Dawit", "Ståhlgren", "Från", "x",
]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=20))
def test_the_name_gate_never_hides_two_adjacent_capitalised_words(pieces: list[str]) -> None:
    text = "".join(pieces)
    words = list(pii._CAPITALISED_RE.finditer(text))
    adjacent = any(text[a.end() : b.start()] == " " for a, b in pairwise(words))
    if adjacent:
        assert pii._name_pair_possible(text)
    if not pii._name_pair_possible(text):
        assert pii._names(text) == []
