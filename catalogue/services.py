"""Writes to the catalogue from use: the open world of docs/tagging.md.

Any well-formed reference to an SFS number or to a provision of a law is a valid tag. The first
time one is used, it gets a catalogue row marked as not confirmed, so it has a label, shows up in
search and statistics, and an administrator can confirm or correct it later. Nothing here ever
refuses: a tag a person chose must never be lost because the catalogue did not list it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from catalogue.models import Law, Provision
from catalogue.selectors import catalogue_changed
from catalogue.tagids import ParsedTag, law_tag_id, parse_tag_id

CHANGE_REASON = "created on first use as a tag"
TITLE_MAX_CHARS = 150
# "lag (2017:612) om samverkan vid utskrivning från sluten hälso- och sjukvård": the kind, the
# SFS number in brackets, then "om …" up to the end of the clause.
_WRITTEN_OUT = re.compile(
    r"\b(?P<kind>lag(?:en)?|förordning(?:en)?)\s*\((?P<sfs>\d{4}:\d{1,5})\)\s+"
    rf"(?P<about>om\s[^.;:()\n]{{3,{TITLE_MAX_CHARS}}})",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r",|\s(?:och|men|eller|samt)\s(?:kommunen|regionen|myndigheten|det|den)\b")


def titles_written_out(text: str) -> dict[str, tuple[str, str]]:
    """SFS number → (kind, title) for each law or ordinance the text writes out in full."""
    found: dict[str, tuple[str, str]] = {}
    for match in _WRITTEN_OUT.finditer(text):
        about = _CLAUSE_END.split(match["about"], maxsplit=1)[0].strip()
        kind = "forordning" if match["kind"].lower().startswith("förordning") else "lag"
        title = ("Förordning " if kind == "forordning" else "Lag ") + about
        found.setdefault(match["sfs"], (kind, title))
    return found


def references_register(tag_ids: Iterable[str], *, texts: Iterable[str] = ()) -> list[str]:
    """Create an unconfirmed catalogue row for each law or provision tag not listed yet.

    `texts` are where the tags were used: a law written out there ("lag (2017:612) om …") gets
    that title, else its label is built from the number. Returns the tag ids created.
    Agencies and malformed ids are left alone (the field rules refuse those).
    """
    wanted: dict[str, ParsedTag] = {}
    for tag_id in set(tag_ids):
        try:
            parsed = parse_tag_id(tag_id)
        except ValueError:
            continue
        if parsed.kind != "agency" and parsed.sfs:
            wanted[tag_id] = parsed
    if not wanted:
        return []
    sfs_wanted = {parsed.sfs for parsed in wanted.values() if parsed.sfs}
    laws = {law.sfs: law for law in Law.objects.filter(sfs__in=sfs_wanted)}
    provisions = [tag for tag, parsed in wanted.items() if parsed.kind == "provision"]
    listed = set(Provision.objects.filter(tag_id__in=provisions).values_list("tag_id", flat=True))
    if not (sfs_wanted - laws.keys()) and not (set(provisions) - listed):
        return []
    titles: dict[str, tuple[str, str]] = {}
    for text in texts:
        for sfs, found in titles_written_out(text).items():
            titles.setdefault(sfs, found)
    created: list[str] = []
    with transaction.atomic():
        for sfs in sorted(sfs_wanted - laws.keys()):
            kind, title = titles.get(sfs, (Law.Kind.LAG, f"SFS {sfs}"))
            chapters = any(p.chapter for p in wanted.values() if p.sfs == sfs)
            law = Law(
                sfs=sfs,
                title=title[:300],
                kind=kind,
                has_chapters=chapters,
                confirmed=False,
                note="Created when first used as a tag; check the title and confirm.",
            )
            law._change_reason = CHANGE_REASON  # type: ignore[attr-defined]
            law, made = _get_or_create(law, sfs=sfs)
            laws[sfs] = law
            if made:
                created.append(law_tag_id(sfs))
        for tag_id in sorted(set(provisions) - listed):
            parsed = wanted[tag_id]
            provision = Provision(
                law=laws[parsed.sfs],
                chapter=parsed.chapter or "",
                section=parsed.section or "",
                confirmed=False,
            )
            provision._change_reason = CHANGE_REASON  # type: ignore[attr-defined]
            _provision, made = _get_or_create(provision, tag_id=tag_id)
            if made:
                created.append(tag_id)
    if created:
        catalogue_changed()
    return created


def _get_or_create[M: (Law, Provision)](row: M, **lookup: str) -> tuple[M, bool]:
    """Save `row` unless another request created the same reference first."""
    model = type(row)
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent first use: theirs is as good
        existing = model.objects.filter(**lookup).first()
        if existing is None:
            raise
        return existing, False
    return row, True


def references_confirm(rows: Iterable[Law | Provision]) -> int:
    """An administrator has checked these rows (SFS number, title, section): show them as any
    other checked catalogue entry. Returns how many changed."""
    count = 0
    for row in rows:
        if not (row.confirmed and row.verified):
            row.confirmed = row.verified = True
            row._change_reason = "confirmed by an administrator"  # type: ignore[attr-defined]
            row.save()
            count += 1
    if count:
        catalogue_changed()
    return count


def unconfirmed_tags(tag_ids: Iterable[str]) -> set[str]:
    """Which of these tags are rows created from use that no administrator has confirmed:
    analysts see them marked "not verified"."""
    ids = set(tag_ids)
    sfs = {tag.removeprefix("law:") for tag in ids if tag.startswith("law:")}
    laws = {
        law_tag_id(number)
        for number in Law.objects.filter(confirmed=False, sfs__in=sfs).values_list("sfs", flat=True)
        if number
    }
    provisions = set(
        Provision.objects.filter(confirmed=False, tag_id__in=ids).values_list("tag_id", flat=True)
    )
    return ids & (laws | provisions)
