"""Load the mandate ladder (steering_groups.json) into SteeringGroup rows, idempotently.

Rows are matched on their slug and only saved when something differs, so a second load changes
nothing and adds no audit entries. Members (people) are never touched: they are managed in the
admin. When a group's mandate, area or member agencies change, open escalations are routed
again, because their proposal may no longer hold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from barriers.models import MandateLevel, SteeringGroup
from barriers.routing import LEVELS, MANDATES
from barriers.services import escalations_reroute
from catalogue.models import Agency, Forbund, Municipality
from catalogue.schema import DATA_DIR, CatalogueError

STEERING_GROUPS_FILE = DATA_DIR / "steering_groups.json"
REQUIRED = ("slug", "name", "level", "mandate", "municipalities", "agencies")


def steering_groups_read(path: Path = STEERING_GROUPS_FILE) -> list[dict[str, Any]]:
    """Read and check the file against the catalogue in the database; all problems at once."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc
    if not isinstance(rows, list):
        raise CatalogueError(f"{path.name}: expected a JSON list")
    agencies = set(Agency.objects.values_list("code", flat=True))
    municipalities = set(Municipality.objects.values_list("code", flat=True))
    forbund = set(Forbund.objects.values_list("slug", flat=True))
    errors: list[str] = []
    seen: set[str] = set()
    for row in rows:
        where = f"steering group {row.get('slug')}"
        if missing := [key for key in REQUIRED if key not in row]:
            errors.append(f"{where}: missing {', '.join(missing)}")
            continue
        if row["slug"] in seen:
            errors.append(f"{where}: listed twice")
        seen.add(row["slug"])
        if row["level"] not in LEVELS:
            errors.append(f"{where}: level {row['level']!r} is not one of {list(LEVELS)}")
        if row["mandate"] not in MANDATES:
            errors.append(f"{where}: mandate {row['mandate']!r} is not one of {list(MANDATES)}")
        if row.get("forbund") and row["forbund"] not in forbund:
            errors.append(f"{where}: unknown förbund {row['forbund']}")
        errors += [f"{where}: unknown agency {c}" for c in row["agencies"] if c not in agencies]
        errors += [
            f"{where}: unknown municipality {c}"
            for c in row["municipalities"]
            if c not in municipalities
        ]
    if errors:
        raise CatalogueError("\n".join(errors))
    return rows


@transaction.atomic
def steering_groups_load(*, path: Path = STEERING_GROUPS_FILE) -> dict[str, int]:
    """Create or update every group in the file; returns created, updated and read counts."""
    rows = steering_groups_read(path)
    agencies = {a.code: a for a in Agency.objects.all()}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    forbund = {f.slug: f for f in Forbund.objects.all()}
    counts = {"created": 0, "updated": 0, "groups": len(rows)}
    routing_changed = False
    for row in rows:
        values: dict[str, Any] = {
            "name": row["name"],
            "level": row["level"],
            "mandate": MandateLevel.from_code(row["mandate"]).value,
            "forbund": forbund.get(row.get("forbund") or ""),
            "verified": bool(row.get("verified", False)),
            "source": str(row.get("source", ""))[:500],
        }
        group = SteeringGroup.objects.filter(slug=row["slug"]).first()
        created = group is None
        if group is None:
            group = SteeringGroup(slug=row["slug"], **values)
            changed = list(values)
        else:
            changed = [name for name, value in values.items() if getattr(group, name) != value]
            for name in changed:
                setattr(group, name, values[name])
        if changed:
            group.full_clean()
            group.save()
        m2m_changed = False
        for manager, wanted in (
            (group.municipalities, [municipalities[c] for c in row["municipalities"]]),
            (group.agencies, [agencies[c] for c in row["agencies"]]),
        ):
            if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
                manager.set(wanted)
                m2m_changed = True
        counts["created" if created else "updated"] += int(created or bool(changed) or m2m_changed)
        routing_changed |= created or m2m_changed or bool({"level", "mandate"} & set(changed))
    if routing_changed:
        escalations_reroute(by=None)
    return counts
