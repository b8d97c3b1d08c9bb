"""Tag identifiers as fixed by docs/contracts.md §1: `agency:FK`, `law:2010:110`,
`prov:2010:110#K27P48`.

Pure functions, shared by the catalogue, the tagger, the API and the import, so there is one
definition of the format.
"""

import re
from dataclasses import dataclass
from typing import Literal

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
