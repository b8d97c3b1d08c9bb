"""Statute references in the forms Swedish texts use, before they are tied to a law.

`27 kap. 48 §`, `27 kap 48§`, `4 kap. 1 och 3 §§`, `46–49 §§`, `11–11 b §§`, `55 b §`, `9 § 2`,
`30 kap.`, `33–35 kap.` and SFS numbers `(2010:110)`, `SFS 2001:453`. Dates, amounts, case and
report numbers never match: a reference needs `kap` or `§`, and an SFS number must not follow
a report or case-number prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUM = r"\d{1,3}(?:\s?[a-z](?![a-zåäö]))?"
_SEP = r"\s*(?:,|och|samt|&|[-–—])\s*"
REFERENCE_RE = re.compile(
    rf"(?<![\d:/.,])(?=\d)(?:(?P<chapters>{NUM}(?:\s*[-–—]\s*{NUM})?)\s*kap(?:itlet|itel)?\b\.?\s*)?"
    rf"(?:(?P<sections>{NUM}(?:{_SEP}{NUM})*)\s*§§?"
    rf"(?:\s*(?P<point>\d{{1,2}})(?![\d:.,]|\s*(?:§|kap|%|år|dag|veck|månad|timm|kr|st\b)))?)?",
    re.IGNORECASE,
)
SFS_RE = re.compile(
    r"(?:\bSFS\s*(?:nr\.?\s*)?)?\(?\s*(?<![\d/.:-])(?P<sfs>(?:1[6-9]|20)\d\d:\d{1,4})(?![\d/:])"
    r"\s*\)?"
)
# Numbers after these are reports, case numbers or agency rules, never SFS numbers.
NOT_SFS_BEFORE = re.compile(
    r"(?:SOSFS|AFFS|FKFS|HSLF-FS|SKOLFS|RiR|SOU|Ds|prop|bet|rapport|rapporten|ISF|dnr|Dnr|"
    r"diarienummer|JO|JK|nr|kl|klockan|skr|RFR)[\s.:]*(?:\d{4}/\d{2}:\s*)?$",
    re.IGNORECASE,
)
COLON_REF_RE = re.compile(
    r"(?<![\d:/.])(?P<chapter>\d{1,3}):(?P<section>\d{1,3}(?:\s?[a-z])?)"
    r"(?![\d:/])"
)


@dataclass(frozen=True, slots=True)
class Reference:
    """Chapters and sections as written (ranges expanded), not yet tied to a law."""

    start: int
    end: int
    chapters: tuple[str, ...]
    sections: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SfsMention:
    start: int
    end: int
    sfs: str


def _split(part: str) -> tuple[int, str]:
    part = re.sub(r"\s+", "", part).lower()
    digits = "".join(c for c in part if c.isdigit())
    return int(digits), part[len(digits) :]


def expand_range(first: str, last: str, limit: int = 60) -> list[str]:
    """`46`–`49` → 46, 47, 48, 49; `11`–`11b` → 11, 11a, 11b; `9`–`18a` → 9 … 18, 18a."""
    (n1, l1), (n2, l2) = _split(first), _split(last)
    if n2 < n1 or n2 - n1 > limit:
        return [f"{n1}{l1}", f"{n2}{l2}"]
    out: list[str] = []
    for number in range(n1, n2 + 1):
        out.append(f"{number}{l1 if number == n1 else ''}")
    if l2:
        start_letter = ord(l1) + 1 if (n1 == n2 and l1) else ord("a")
        out.extend(f"{n2}{chr(c)}" for c in range(start_letter, ord(l2) + 1))
    return list(dict.fromkeys(out))


def _parts(listing: str) -> list[str]:
    """`1 och 3` → 1, 3; `46–49` → 46…49; `14, 15 och 31` → 14, 15, 31."""
    pieces = re.split(r"\s*(,|och|samt|&|[-–—])\s*", listing.strip(), flags=re.IGNORECASE)
    numbers = [re.sub(r"\s+", "", p).lower() for p in pieces[0::2]]
    separators = pieces[1::2]
    out = [numbers[0]]
    for sep, number in zip(separators, numbers[1:], strict=True):
        if sep in "-–—":
            out.extend(expand_range(out.pop(), number))
        else:
            out.append(number)
    return list(dict.fromkeys(out))


def find_references(text: str) -> list[Reference]:
    found = []
    for m in REFERENCE_RE.finditer(text):
        chapters, sections = m.group("chapters"), m.group("sections")
        if not chapters and not sections:
            continue
        end = (
            m.end("point")
            if m.group("point")
            else (m.end("sections") + 0 if sections else m.end("chapters"))
        )
        end = _end_after_marks(text, end)
        found.append(
            Reference(
                start=m.start(),
                end=end,
                chapters=tuple(_parts(chapters)) if chapters else (),
                sections=tuple(_parts(sections)) if sections else (),
            )
        )
    return found


def _end_after_marks(text: str, end: int) -> int:
    """Include the trailing `kap.` or `§§` in the span, not the spaces after them."""
    tail = re.match(r"\s*(?:§§?|kap(?:itlet|itel)?\.?)", text[end:], re.IGNORECASE)
    while tail:
        end += tail.end()
        tail = re.match(r"\s*(?:§§?)", text[end:])
    return end


def find_sfs_numbers(text: str) -> list[SfsMention]:
    found = []
    for m in SFS_RE.finditer(text):
        if NOT_SFS_BEFORE.search(text[max(0, m.start() - 24) : m.start("sfs")]):
            continue
        found.append(SfsMention(m.start(), m.end(), m.group("sfs")))
    return found


def find_colon_references(text: str) -> list[Reference]:
    """`27:48`: only trusted when a law is named right next to it (the engine checks)."""
    return [
        Reference(
            m.start(), m.end(), (m.group("chapter"),), (re.sub(r"\s+", "", m.group("section")),)
        )
        for m in COLON_REF_RE.finditer(text)
    ]
