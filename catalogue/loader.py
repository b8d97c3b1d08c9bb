"""Write the checked catalogue into the database, idempotently.

Rows are matched on their natural keys (agency code, SCB code, förbund slug, SFS number,
provision reference, term) and only saved when something differs, so a second load changes
nothing and adds no audit entries. Rows that admins added by hand are left alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.db import models, transaction

from catalogue.models import Agency, Forbund, Law, Municipality, Provision, Term
from catalogue.schema import DATA_DIR, CatalogueData, read_catalogue
from catalogue.selectors import catalogue_changed
from catalogue.tagids import normalise_part


def _upsert[M: models.Model](
    model: type[M], lookup: dict[str, Any], values: dict[str, Any], counts: dict[str, int]
) -> M:
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        counts["created"] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        counts["updated"] += 1
    return obj


def _set_m2m(manager: Any, objects: list[models.Model], counts: dict[str, int]) -> None:
    if {o.pk for o in manager.all()} != {o.pk for o in objects}:
        manager.set(objects)
        counts["updated"] += 1


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@transaction.atomic
def catalogue_load(*, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Load every catalogue file; return how many rows were created, updated and read."""
    data: CatalogueData = read_catalogue(data_dir)
    counts = {"created": 0, "updated": 0}

    agencies = {
        a["code"]: _upsert(
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
            counts,
        )
        for a in data.agencies
    }
    municipalities = {
        m["code"]: _upsert(Municipality, {"code": m["code"]}, {"name": m["name"]}, counts)
        for m in data.municipalities
    }
    for f in data.forbund:
        forbund = _upsert(
            Forbund,
            {"slug": f["slug"]},
            {
                "name": f["name"],
                "short_name": f.get("short_name", ""),
                "verified": bool(f.get("verified", False)),
                "source": f.get("source", "")[:500],
            },
            counts,
        )
        _set_m2m(forbund.municipalities, [municipalities[c] for c in f["municipalities"]], counts)

    laws: dict[str, Law] = {}
    for row in data.laws:
        lookup = {"sfs": row["sfs"]} if row["sfs"] else {"sfs": None, "title": row["title"]}
        law = _upsert(
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
                "note": row.get("note", ""),
            },
            counts,
        )
        _set_m2m(law.agencies, [agencies[c] for c in row.get("agencies", [])], counts)
        if row["sfs"]:
            laws[row["sfs"]] = law
    for row in data.laws:
        if row["sfs"]:
            _upsert(
                Law,
                {"sfs": row["sfs"]},
                {"replaced_by": laws.get(row.get("replaced_by") or "")},
                counts,
            )

    for p in data.provisions:
        _upsert(
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
            counts,
        )

    for t in data.terms:
        _upsert(
            Term,
            {"term": t["term"]},
            {
                "forms": t.get("forms", []),
                "targets": t["targets"],
                "candidates": t.get("candidates", []),
                "agency": agencies.get(t.get("agency") or ""),
                "ambiguous": bool(t.get("ambiguous", False)),
                "note": t.get("note", ""),
            },
            counts,
        )

    counts.update(
        {
            "agencies": len(data.agencies),
            "municipalities": len(data.municipalities),
            "forbund": len(data.forbund),
            "laws": len(data.laws),
            "provisions": len(data.provisions),
            "terms": len(data.terms),
        }
    )
    catalogue_changed()  # this process's tagger sees the loaded catalogue at once
    return counts
