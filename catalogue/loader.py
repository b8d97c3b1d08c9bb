"""Write the checked catalogue into the database, keeping what administrators changed.

Rows are matched on their natural keys (agency code, SCB code, förbund slug, SFS number,
provision reference, term) and only saved when something differs, so a second load changes
nothing and adds no audit entries. Rows that admins added by hand are left alone.

An upgrade must not undo local work. For every shipped row the values the loader last wrote
are kept (`ShippedRow`), and each field is merged three ways:
- the database still holds the last shipped value: the new shipped value is written;
- an administrator changed the field (it differs from the last shipped value): the local
  value stays, and when the shipped value changed too, a `Conflict` is reported;
- a shipped row an administrator deleted after a load is not created again.
A row loaded before these records existed (a site upgrading) counts as edited when a person
saved it after the loader's last write (its history has a user); otherwise, and for rows
first created from use and not yet confirmed, the shipped values win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import models, transaction

from catalogue.models import (
    Agency,
    CatalogueConflict,
    Concordance,
    Forbund,
    Law,
    Municipality,
    Provision,
    ShippedRow,
    Term,
)
from catalogue.schema import DATA_DIR, CatalogueData, read_catalogue
from catalogue.selectors import catalogue_changed
from catalogue.tagids import normalise_part


@dataclass(frozen=True)
class Conflict:
    """A field both the shipped catalogue and an administrator changed; the local value stays."""

    table: str
    row: str
    field: str
    shipped: Any
    local: Any


def _plain(value: Any) -> Any:
    """The JSON form a value is compared and remembered in: dates as ISO, rows by natural key."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Law):
        return value.sfs or value.title
    if isinstance(value, Provision):
        return value.tag_id
    if isinstance(value, (Agency, Municipality)):
        return value.code
    if isinstance(value, (list, tuple)) and all(isinstance(v, models.Model) for v in value):
        return sorted(_plain(v) for v in value)
    return value


def _person_edited(obj: models.Model) -> bool:
    """True when a person saved the row after the loader last did (the loader has no user)."""
    history = getattr(obj, "history", None)
    if history is None:
        return False
    last_load = (
        history.filter(history_user__isnull=True)
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    by_people = history.filter(history_user__isnull=False)
    if last_load is not None:
        by_people = by_people.filter(history_date__gt=last_load)
    return by_people.exists()


class _Merge:
    """One load: the remembered shipped values, the counts and the conflicts found."""

    def __init__(self) -> None:
        self.shipped = {(r.table, r.key): r for r in ShippedRow.objects.all()}
        self.counts = {"created": 0, "updated": 0, "kept_local": 0, "kept_deleted": 0}
        self.conflicts: list[Conflict] = []

    def row[M: models.Model](
        self,
        model: type[M],
        lookup: dict[str, Any],
        values: dict[str, Any],
        m2m: dict[str, list[models.Model]] | None = None,
    ) -> M | None:
        """Create or update one shipped row; None when an administrator deleted it."""
        m2m = m2m or {}
        table = model._meta.model_name or ""
        key = "|".join(str(_plain(v)) for v in lookup.values() if v is not None)
        new = {name: _plain(v) for name, v in {**values, **m2m}.items()}
        record = self.shipped.get((table, key))
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            if record is not None:
                self.counts["kept_deleted"] += 1
                return None
            obj = model(**lookup, **values)
            obj.save()
            for name, objects in m2m.items():
                getattr(obj, name).set(objects)
            self.counts["created"] += 1
            self._remember(table, key, new, record)
            return obj

        local = {name: _plain(getattr(obj, name)) for name in values}
        local |= {name: _plain(list(getattr(obj, name).all())) for name in m2m}
        if record is not None:
            base = record.values
            edited = {n for n in new if n in base and local[n] != base[n]}
        elif getattr(obj, "confirmed", True) and _person_edited(obj):
            base = {}
            edited = {n for n in new if local[n] != new[n]}
        else:
            base, edited = {}, set()
        changed = [n for n in values if n not in edited and local[n] != new[n]]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save()
        changed_m2m = [n for n in m2m if n not in edited and local[n] != new[n]]
        for name in changed_m2m:
            getattr(obj, name).set(m2m[name])
        if changed or changed_m2m:
            self.counts["updated"] += 1
        for name in sorted(edited):
            if local[name] != new[name] and base.get(name, object()) != new[name]:
                self.conflicts.append(Conflict(table, str(obj), name, new[name], local[name]))
        if edited:
            self.counts["kept_local"] += 1
        self._remember(table, key, new, record)
        return obj

    def _remember(self, table: str, key: str, new: dict[str, Any], record: Any) -> None:
        if record is None:
            self.shipped[(table, key)] = ShippedRow.objects.create(table=table, key=key, values=new)
        elif record.values != new:
            record.values = {**record.values, **new}
            record.save(update_fields=["values"])


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@transaction.atomic
def catalogue_load(*, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """Load every catalogue file; return the counts of rows read, created, updated and kept,
    and under "conflicts" the fields where an administrator's value was kept over a change."""
    data: CatalogueData = read_catalogue(data_dir)
    merge = _Merge()

    agencies = {
        a["code"]: merge.row(
            Agency,
            {"code": a["code"]},
            {
                "name": a["name"],
                "name_en": a.get("name_en", ""),
                "description": a.get("description", ""),
                "variants": a.get("variants", []),
                "subunits": a.get("subunits", []),
                "context_dependent": a.get("context_dependent", []),
            },
        )
        for a in data.agencies
    }
    municipalities = {
        m["code"]: merge.row(Municipality, {"code": m["code"]}, {"name": m["name"]})
        for m in data.municipalities
    }
    for f in data.forbund:
        members = [municipalities[c] for c in f["municipalities"]]
        merge.row(
            Forbund,
            {"slug": f["slug"]},
            {
                "name": f["name"],
                "short_name": f.get("short_name", ""),
                "verified": bool(f.get("verified", False)),
                "source": f.get("source", "")[:500],
            },
            {"municipalities": [m for m in members if m is not None]},
        )

    laws: dict[str, Law | None] = {}
    for row in data.laws:
        lookup = {"sfs": row["sfs"]} if row["sfs"] else {"sfs": None, "title": row["title"]}
        applied_by = [agencies[c] for c in row.get("agencies", [])]
        law = merge.row(
            Law,
            lookup,
            {
                **({"title": row["title"]} if row["sfs"] else {}),
                "short_name": row.get("short_name") or "",
                "abbreviations": row.get("abbreviations", []),
                "name_forms": row.get("name_forms", []),
                "kind": row["kind"],
                "has_chapters": bool(row.get("has_chapters", False)),
                "in_force_from": _date(row.get("in_force_from")),
                "in_force_to": _date(row.get("in_force_to")),
                "verified": bool(row.get("verified", False)),
                "confirmed": True,  # shipped: a row first created from use is now confirmed
                "note": row.get("note", "").strip(),
                "source": row.get("source", "")[:500],
            },
            {"agencies": [a for a in applied_by if a is not None]},
        )
        if row["sfs"]:
            laws[row["sfs"]] = law
    for row in data.laws:
        if row["sfs"] and laws[row["sfs"]] is not None:
            merge.row(
                Law, {"sfs": row["sfs"]}, {"replaced_by": laws.get(row.get("replaced_by") or "")}
            )

    for p in data.provisions:
        if laws[p["law"]] is None:  # an administrator deleted the law, and its provisions
            merge.counts["kept_deleted"] += 1
            continue
        merge.row(
            Provision,
            {
                "law": laws[p["law"]],
                "chapter": normalise_part(p["chapter"]) or "",
                "section": normalise_part(p["section"]) or "",
            },
            {
                "description": p.get("description", ""),
                "verified": bool(p.get("verified", False)),
                "confirmed": True,
            },
        )

    for line in data.concordance:
        _concordance_line(merge, laws, line)

    for t in data.terms:
        merge.row(
            Term,
            {"term": t["term"]},
            {
                "forms": t.get("forms", []),
                "targets": t["targets"],
                "candidates": t.get("candidates", []),
                "agency": agencies.get(t.get("agency") or ""),
                "ambiguous": bool(t.get("ambiguous", False)),
                "note": t.get("note", "").strip(),  # a backup keeps no edge spaces
            },
        )

    for conflict in merge.conflicts:
        CatalogueConflict.objects.update_or_create(
            table=conflict.table,
            row=conflict.row[:400],
            field=conflict.field,
            defaults={"shipped": conflict.shipped, "local": conflict.local},
        )
    counts: dict[str, Any] = {
        **merge.counts,
        "agencies": len(data.agencies),
        "municipalities": len(data.municipalities),
        "forbund": len(data.forbund),
        "laws": len(data.laws),
        "provisions": len(data.provisions),
        "terms": len(data.terms),
        "concordance": len(data.concordance),
        "conflicts": merge.conflicts,
    }
    catalogue_changed()  # this process's tagger sees the loaded catalogue at once
    return counts


def _provision(merge: _Merge, laws: dict[str, Law | None], ref: dict[str, Any]) -> Provision | None:
    """The provision a concordance line names, created as a shipped row when the catalogue
    does not list it yet; None when an administrator deleted it or its law."""
    law = laws.get(ref["law"])
    if law is None:
        return None
    chapter, section = normalise_part(ref["chapter"]) or "", normalise_part(ref["section"]) or ""
    existing = Provision.objects.filter(law=law, chapter=chapter, section=section).first()
    if existing is not None:
        return existing
    values = {"description": ref.get("description", ""), "verified": False, "confirmed": True}
    return merge.row(Provision, {"law": law, "chapter": chapter, "section": section}, values)


def _concordance_line(merge: _Merge, laws: dict[str, Law | None], line: dict[str, Any]) -> None:
    old = _provision(merge, laws, {**line["old"], "description": line.get("description", "")})
    if old is None:
        merge.counts["kept_deleted"] += 1
        return
    for position, ref in enumerate(line["new"]):
        new = _provision(merge, laws, {"description": line.get("description", ""), **ref})
        if new is None:
            merge.counts["kept_deleted"] += 1
            continue
        merge.row(
            Concordance,
            {"old": old, "new": new},
            {
                "main": position == 0,
                "note": str(line.get("note", "")).strip(),
                "source": str(line["source"])[:500],
                "verified": bool(line.get("verified", False)),
            },
        )
