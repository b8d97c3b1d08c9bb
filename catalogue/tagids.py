"""Tag identifiers as fixed by docs/contracts.md §1: `agency:FK`, `law:2010:110`,
`prov:2010:110#K27P48`.

Pure functions, shared by the catalogue, the tagger, the API and the import, so there is one
definition of the format.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

TagKind = Literal["agency", "law", "provision"]

_SFS = r"\d{4}:\d{1,5}"
_PART = r"\d+[a-z]?"
AGENCY_RE = re.compile(r"^agency:([A-Z][A-Z_]*)$")
LAW_RE = re.compile(rf"^law:({_SFS})$")
PROVISION_RE = re.compile(rf"^prov:({_SFS})#(?:K({_PART}))?(?:P({_PART}))?$")


@dataclass(frozen=True, slots=True)
class ParsedTag:
    kind: TagKind
    agency: str | None = None
    sfs: str | None = None
    chapter: str | None = None
    section: str | None = None

    @property
    def law_tag_id(self) -> str | None:
        """The law a provision implies (docs/contracts.md: a tagged provision implies its law)."""
        return law_tag_id(self.sfs) if self.sfs else None


def normalise_part(part: str | None) -> str | None:
    """`28 a` → `28a`, `11 B` → `11b`: lagen.nu's joined lower-case form."""
    if part is None:
        return None
    cleaned = re.sub(r"\s+", "", str(part)).lower()
    return cleaned or None


def agency_tag_id(code: str) -> str:
    return f"agency:{code}"


def law_tag_id(sfs: str) -> str:
    return f"law:{sfs}"


def provision_tag_id(sfs: str, chapter: str | None, section: str | None) -> str:
    chapter, section = normalise_part(chapter), normalise_part(section)
    if chapter is None and section is None:
        raise ValueError("a provision needs a chapter or a section")
    fragment = (f"K{chapter}" if chapter else "") + (f"P{section}" if section else "")
    return f"prov:{sfs}#{fragment}"


@lru_cache(maxsize=8192)  # the same few identifiers on every row of an import
def parse_tag_id(tag_id: str) -> ParsedTag:
    """Parse a tag identifier; raise ValueError with the reason when it is malformed."""
    if m := AGENCY_RE.match(tag_id):
        return ParsedTag(kind="agency", agency=m.group(1))
    if m := LAW_RE.match(tag_id):
        return ParsedTag(kind="law", sfs=m.group(1))
    if (m := PROVISION_RE.match(tag_id)) and (m.group(2) or m.group(3)):
        return ParsedTag(kind="provision", sfs=m.group(1), chapter=m.group(2), section=m.group(3))
    raise ValueError(f"not a tag identifier: {tag_id!r}")


def is_tag_id(tag_id: str) -> bool:
    try:
        parse_tag_id(tag_id)
    except ValueError:
        return False
    return True


def spaced_part(part: str) -> str:
    """`28a` → `28 a`, the way a chapter or section is printed."""
    return part[:-1] + " " + part[-1] if part and part[-1].isalpha() else part


def law_label(short: str, sfs: str | None, *, versioned: bool) -> str:
    """A law's short label; a law that has other versions carries its SFS number, so that
    "SoL (2001:453)" and "SoL (2025:400)" are never read as one law."""
    if not versioned or not sfs or sfs in short:
        return short
    return f"{short} ({sfs})"


def provision_label(chapter: str | None, section: str | None, law: str) -> str:
    """`12 kap. 1 § SoL (2025:400)`: chapter and section printed, then the law's label."""
    parts = []
    if chapter:
        parts.append(f"{spaced_part(chapter)} kap.")
    if section:
        parts.append(f"{spaced_part(section)} §")
    return " ".join([*parts, law])


def reference_label(tag_id: str, *, law_name: str | None = None) -> str:
    """A readable label built from the reference alone, for a tag the catalogue has no row
    for (yet): `11 kap. 1 § SoL` when the law's name is known, else `11 kap. 1 § (2025:400)`;
    a law alone is `SFS 1962:381`. A malformed id is returned as it is."""
    try:
        parsed = parse_tag_id(tag_id)
    except ValueError:
        return tag_id
    if parsed.kind == "agency":
        return tag_id
    if parsed.kind == "law":
        return law_name or f"SFS {parsed.sfs}"
    return provision_label(parsed.chapter, parsed.section, law_name or f"({parsed.sfs})")


def tag_label(tag_id: str, choices: Mapping[str, Any]) -> str:
    """The catalogue's label for a tag (`choices` as from catalogue.selectors.tag_choices), or
    one built from the reference when the catalogue has no row for it yet."""
    choice = choices.get(tag_id)
    if choice is not None:
        return str(choice.label)
    try:
        law = parse_tag_id(tag_id).law_tag_id
    except ValueError:
        return tag_id
    law_choice = choices.get(law) if law else None
    return reference_label(tag_id, law_name=str(law_choice.label) if law_choice else None)
