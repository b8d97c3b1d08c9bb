"""Statute references in the forms Swedish texts use, before they are tied to a law.

`27 kap. 48 §`, `27 kap 48§`, `2 kap § 7`, `4 kap. 1 och 3 §§`, `46–49 §§`, `11–11 b §§`,
`55 b §`, `9 § 2`, `30 kap.`, `33–35 kap.` and SFS numbers `(2010:110)`, `SFS 2001:453`. Dates,
amounts, case and report numbers never match: a reference needs `kap` or `§`, and an SFS number
must not follow a report or case-number prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_NUM = r"\d{1,3}(?:\s?[a-z](?![a-zåäö]))?"
_SEP = r"\s*(?:,|och|samt|&|[-–—])\s*"
_LIST = rf"{_NUM}(?:{_SEP}{_NUM})*"
# "9 § 2" (punkt 2) but not "9 § 2 st", "14 § 30 dagar" or "§ 14 kl 10:30".
_POINT = r"(?:\s*(?P<{name}>\d{{1,2}})(?![\d:.,]|\s*(?:§|kap|%|år|dag|veck|månad|timm|kr|st\b)))?"
REFERENCE_RE = re.compile(
    rf"(?<![\d:/.,])(?=\d)(?:"
    rf"(?P<chapters>{_LIST})\s*kap(?:itlet|itel)?\b\.?"
    rf"(?:\s*(?P<sections>{_LIST})\s*§§?{_POINT.format(name='point')}"
    rf"|\s*§§?\s*(?P<after_mark>{_LIST})(?![\d:.,]|\s*(?:§|kap))"
    rf"|\s+(?P<unmarked>{_NUM})(?=\s+[^\W\d]))?"
    rf"|(?P<bare>{_LIST})\s*§§?{_POINT.format(name='bare_point')})",
    re.IGNORECASE,
)
# Where REFERENCE_RE can start: its first digit and look-behind, with the character class first
# so that the regex engine skips to the digits (a pattern that opens with a look-around is tried
# at every character).
_REFERENCE_STARTS = re.compile(r"\d(?<![\d:/.,]\d)")
# "2010:110" (SFS number) and "27:48" (chapter:section) in one scan.
_COLON_NUMBER_RE = re.compile(
    r"(?<![\d:/.,-])(?P<left>\d{1,4}):(?P<right>\d{1,4})(?![\d:/])(?P<letter>[a-z](?![a-zåäö]))?"
)
_SFS_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")
_SFS_BEFORE = re.compile(r"(?P<prefix>\bSFS\s*(?:nr\.?\s*)?)?(?P<paren>\(\s*)?$")
_SFS_AFTER = re.compile(r"\s*\)")
# Numbers after these are reports, case numbers, rulings or agency rules, never SFS numbers.
_NOT_SFS_WORDS = (
    "RiR", "SOU", "Ds", "prop", "bet", "dir", "rskr", "rapport", "rapporten", "ISF", "dnr",
    "diarienummer", "diarienr", "ärendenr", "ärende", "JO", "JK", "nr", "kl", "klockan", "skr",
    "RFR", "RÅ", "HFD", "RH", "NJA", "MIG", "vägledning", "vägledningen", "KFM", "IAF", "ISF:s",
)  # fmt: skip
NOT_SFS_BEFORE = re.compile(
    rf"(?:\b(?!SFS\b)[A-ZÅÄÖ][A-ZÅÄÖ-]*FS|{'|'.join(_NOT_SFS_WORDS)})"
    r"[\s.:]*(?:\d{4}/\d{2}:\s*)?$",
    re.IGNORECASE,
)
# NOT_SFS_BEFORE, searched at every position of its window, costs more than the rest of an SFS
# number together; most numbers follow "lagen (" or "förordningen (", which end in no word of
# it. The words (and "…FS") in lower case, and every ending of them, for a test before it.
_NOT_SFS_ENDINGS = ("fs", *(word.lower() for word in _NOT_SFS_WORDS))
_NOT_SFS_PARTS = frozenset(word[i:] for word in _NOT_SFS_ENDINGS for i in range(len(word) + 1))
_NOT_SFS_LONGEST = max(map(len, _NOT_SFS_ENDINGS))
_NOT_COLON_REF_BEFORE = re.compile(r"(?:\bkl\.?|\bklockan|\bmellan)\s*$", re.IGNORECASE)
# A bare "och 49 §" right after "27 kap. 48 §" is in the same chapter.
_SAME_CHAPTER_GLUE = re.compile(r"\s*(?:,|och|samt|resp\.?|respektive|&)\s*", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(,|och|samt|&|[-–—])\s*", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_MARKS = re.compile(r"\s*(?:§§?|kap(?:itlet|itel)?\.?)", re.IGNORECASE)
_SECTION_MARKS = re.compile(r"\s*§§?")
# How far a reference reaches before and after its `§` or `kap` ("27, 28 och 30 kap.",
# "kap. 9, 10, 11 och 12 §§"), with a wide margin.
_BEFORE_ANCHOR, _AFTER_ANCHOR = 80, 80


@dataclass(slots=True)
class Reference:
    """Chapters and sections as written (ranges expanded), not yet tied to a law."""

    start: int
    end: int
    chapters: tuple[str, ...]
    sections: tuple[str, ...]
    # "11 kap. 2 socialtjänstlagen": a section whose § was lost (text copied from a PDF). It
    # counts only when a law follows right after it, which the engine checks.
    unmarked: str = ""
    unmarked_end: int = 0


@dataclass(slots=True)
class SfsMention:
    start: int
    end: int
    sfs: str


def _split(part: str) -> tuple[int, str]:
    part = _SPACE.sub("", part).lower()
    digits = "".join(c for c in part if c.isdigit())
    return int(digits), part[len(digits) :]


def expand_range(first: str, last: str, limit: int = 60) -> list[str]:
    """`46`–`49` → 46, 47, 48, 49; `11`–`11b` → 11, 11a, 11b; `9`–`18a` → 9 … 18, 18a."""
    (n1, l1), (n2, l2) = _split(first), _split(last)
    # A letter that is two characters in lower case ("İ" → "i̇", matched as a letter under
    # IGNORECASE) spans no range: both ends as written.
    if n2 < n1 or n2 - n1 > limit or len(l1) > 1 or len(l2) > 1:
        return [f"{n1}{l1}", f"{n2}{l2}"]
    out: list[str] = []
    for number in range(n1, n2 + 1):
        out.append(f"{number}{l1 if number == n1 else ''}")
    if l2:
        start_letter = ord(l1) + 1 if (n1 == n2 and l1) else ord("a")
        out.extend(f"{n2}{chr(c)}" for c in range(start_letter, ord(l2) + 1))
    return list(dict.fromkeys(out))


@lru_cache(maxsize=2048)
def _parts(listing: str) -> tuple[str, ...]:
    """`1 och 3` → 1, 3; `46–49` → 46…49; `14, 15 och 31` → 14, 15, 31."""
    pieces = _LIST_SPLIT.split(listing.strip())
    numbers = [_SPACE.sub("", p).lower() for p in pieces[0::2]]
    separators = pieces[1::2]
    out = [numbers[0]]
    for sep, number in zip(separators, numbers[1:], strict=True):
        if sep in "-–—":
            out.extend(expand_range(out.pop(), number))
        else:
            out.append(number)
    return tuple(dict.fromkeys(out))


def _windows(low: str) -> list[tuple[int, int, int]]:
    """Stretches around every `§` and `kap`: a reference ends near one of them, so the regex
    need not try every digit of a long text. Each comes with its last anchor."""
    anchors = []
    for mark in ("§", "kap"):
        at = low.find(mark)
        while at != -1:
            anchors.append(at)
            at = low.find(mark, at + 1)
    windows: list[tuple[int, int, int]] = []
    for at in sorted(anchors):
        start, end = max(0, at - _BEFORE_ANCHOR), min(len(low), at + _AFTER_ANCHOR)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end, at)
        else:
            windows.append((start, end, at))
    return windows


def find_references(
    text: str, low: str | None = None, *, whole_text: bool = False
) -> list[Reference]:
    """Every chapter/section reference, ranges expanded, in text order. `low` is the text in
    lower case, if the caller has it already; `whole_text` scans without the anchor windows
    (the same result, slower: tests compare the two)."""
    found: list[Reference] = []
    low = text.lower() if low is None else low
    if whole_text:
        matches = list(REFERENCE_RE.finditer(text))
    else:
        # A reference holds a `kap` or `§` after its first digit, so none starts at or after
        # a window's last anchor; that is only sure when `low` is `text` in lower case.
        lowered = low is not text and len(low) == len(text)
        matches = [
            m
            for start, end, last in _windows(low)
            for m in _references_in(text, start, end, last if lowered else end)
        ]
    for m in matches:
        chapters = m.group("chapters")
        if chapters:
            sections = m.group("sections")
            point = "point"
            end = m.end("sections") if sections else m.end("chapters")
            if m.group("after_mark"):  # "2 kap § 7": the section written after its mark
                sections = m.group("after_mark")
                end = m.end("after_mark")
            unmarked = m.group("unmarked") or ""
        else:
            sections, point = m.group("bare"), "bare_point"
            end = m.end("bare")
            unmarked = ""
        if m.group(point):
            end = m.end(point)
        end = _end_after_marks(text, end)
        reference = Reference(
            start=m.start(),
            end=end,
            chapters=_parts(chapters) if chapters else (),
            sections=_parts(sections) if sections else (),
            unmarked=_SPACE.sub("", unmarked).lower() if unmarked else "",
            unmarked_end=m.end("unmarked") if unmarked else 0,
        )
        previous = found[-1] if found else None
        if (
            previous
            and not reference.chapters
            and len(previous.chapters) == 1
            and previous.sections
            and _SAME_CHAPTER_GLUE.fullmatch(text, previous.end, reference.start)
        ):
            reference = Reference(reference.start, end, previous.chapters, reference.sections)
        found.append(reference)
    return found


def _references_in(text: str, start: int, end: int, last: int) -> list[re.Match[str]]:
    """`REFERENCE_RE.finditer(text, start, end)`, tried only where a reference can start: at
    a digit before `last`."""
    found: list[re.Match[str]] = []
    free = start  # where the last match ended
    for candidate in _REFERENCE_STARTS.finditer(text, start, last):
        at = candidate.start()
        if at >= free and (match := REFERENCE_RE.match(text, at, end)):
            found.append(match)
            free = match.end()
    return found


def _end_after_marks(text: str, end: int) -> int:
    """Include the trailing `kap.` or `§§` in the span, not the spaces after them."""
    tail = _MARKS.match(text, end)
    while tail:
        end = tail.end()
        tail = _SECTION_MARKS.match(text, end)
    return end


def find_colon_numbers(text: str) -> tuple[list[SfsMention], list[Reference]]:
    """SFS numbers (`(2010:110)`, `SFS 2001:453`, `( 2017:819 )`; not `RiR 2020:12` or
    `SOSFS 2013:1`) and chapter:section pairs (`27:48`; not `kl 14:30`). A pair is only
    trusted when a law is named right next to it, which the engine checks."""
    sfs_numbers: list[SfsMention] = []
    pairs: list[Reference] = []
    colon = text.find(":")
    while colon != -1:
        # Only look where digits stand right before the colon: cheaper than a regex scan.
        start = colon
        while start and text[start - 1].isdigit():
            start -= 1
        if 0 < colon - start <= 4 and (m := _COLON_NUMBER_RE.match(text, start)):
            _colon_number(text, m, sfs_numbers, pairs)
        colon = text.find(":", colon + 1)
    return sfs_numbers, pairs


def _colon_number(
    text: str, m: re.Match[str], sfs_numbers: list[SfsMention], pairs: list[Reference]
) -> None:
    left, right = m.group("left"), m.group("right")
    window = max(0, m.start() - 24)
    if len(left) == 4:
        if not _SFS_YEAR.fullmatch(left):
            return
        # _SFS_BEFORE finds a prefix or a parenthesis only after "SFS", "nr", "nr." or "(";
        # elsewhere it finds the empty match at the end, which None stands for here.
        before = (
            _SFS_BEFORE.search(text, window, m.start())
            if _ends_sfs_before(text, window, m.start())
            else None
        )
        prefix = before is not None and before["prefix"] is not None
        paren = before is not None and before["paren"] is not None
        start = before.start() if before is not None and (prefix or paren) else m.start()
        if (
            not prefix
            and _may_follow_not_sfs(text, window, start)
            and NOT_SFS_BEFORE.search(text, window, start)
        ):
            return
        after = _SFS_AFTER.match(text, m.end("right")) if paren else None
        end = after.end() if after else m.end("right")
        sfs_numbers.append(SfsMention(start, end, f"{left}:{right}"))
    elif len(left) <= 3 and len(right) <= 3 and right[0] != "0":
        if _NOT_COLON_REF_BEFORE.search(text, window, m.start()):
            return
        section = right + (m.group("letter") or "")
        pairs.append(Reference(m.start(), m.end(), (left,), (section,)))


def _may_follow_not_sfs(text: str, window: int, start: int) -> bool:
    """False only where NOT_SFS_BEFORE.search(text, window, start) cannot match: its word ends
    where the `[\\s.:]` before `start` begin (a digit there may be a "2021/12:" case number).
    ASCII letters in the text only match the word's own letters in either case; any other
    character might match one of them under IGNORECASE, so a word reaching one may match."""
    end = start
    while end > window and (text[end - 1] in ".:" or text[end - 1].isspace()):
        end -= 1
    if end == window or text[end - 1] in "0123456789":
        return True
    begin = end
    while begin > window and end - begin < _NOT_SFS_LONGEST and text[begin - 1].isascii():
        begin -= 1
    tail = text[begin:end].lower()
    return tail in _NOT_SFS_PARTS or tail.endswith(_NOT_SFS_ENDINGS)


def _ends_sfs_before(text: str, window: int, start: int) -> bool:
    """False only where _SFS_BEFORE.search(text, window, start) finds both groups empty: the
    last character before `start` other than whitespace ends none of them."""
    end = start
    while end > window and text[end - 1].isspace():
        end -= 1
    return end == window or text[end - 1] in "(Sr."
