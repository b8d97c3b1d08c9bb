"""Load the mandate ladders (catalogue/data/ladders/) into SteeringGroup rows, idempotently.

One file per county (`stockholm.json`, `skane.json`, …: its förbund boards and regional
bodies) and one for the national level (`national.json`: national bodies, agency headquarters,
the government and the Riksdag), which every county's ladder shares and no county file copies.
A file is an object `{"county": "01", "name": "Stockholms län", "groups": [...]}`; the national
file has `"county": null`. Every group of a county file gets the county's SCB code (routing
reads it as the area of a regional group with no municipalities), and its municipalities must
lie in that county. A plain JSON list (the single `steering_groups.json` before counties were
data) is still read, as groups with no county.

Rows are matched on their slug and only saved when something differs, so a second load changes
nothing and adds no audit entries. A shipped group's name, level, mandate, county, area and
member agencies are the file's: a reload puts back what an admin changed in them; groups the
files do not name (made in the admin) are left alone, and members (people) are never touched.
When a group's mandate, county, area or member agencies change, open escalations are routed
again, because their proposal may no longer hold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from barriers.models import MandateLevel, SteeringGroup
from barriers.routing import LEVELS, MANDATES, county_of
from barriers.services import escalations_reroute
from catalogue.models import Agency, Forbund, Municipality
from catalogue.schema import DATA_DIR, CatalogueError

LADDERS_DIR = DATA_DIR / "ladders"
NATIONAL_FILE = LADDERS_DIR / "national.json"
REQUIRED = ("slug", "name", "level", "mandate", "municipalities", "agencies")
# Rungs that belong to the whole country: never in a county file, only in the national one.
NATIONAL_LEVELS = frozenset({"national", "agency_hq", "government", "riksdag"})


@dataclass(frozen=True, slots=True)
class Ladder:
    """One ladder file: its county (SCB code; "" for the national level) and its groups."""

    path: Path
    county: str
    name: str
    groups: list[dict[str, Any]]


def county_slugs(directory: Path = LADDERS_DIR) -> list[str]:
    """The shipped counties, by file name (`stockholm`, `skane`, `vastra-gotaland`)."""
    return sorted(p.stem for p in directory.glob("*.json") if p != directory / NATIONAL_FILE.name)


def ladder_paths(county: str | None = None, directory: Path = LADDERS_DIR) -> list[Path]:
    """The national file and one county's file, or every county's when `county` is None."""
    slugs = county_slugs(directory)
    if county is not None and county not in slugs:
        raise CatalogueError(f"unknown county {county!r}; shipped: {', '.join(slugs)}")
    chosen = slugs if county is None else [county]
    return [directory / NATIONAL_FILE.name, *(directory / f"{slug}.json" for slug in chosen)]


def _ladder(path: Path) -> Ladder:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc
    if isinstance(data, list):  # the single file of before counties: no county
        return Ladder(path, "", "", data)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise CatalogueError(f"{path.name}: expected an object with a list of groups")
    county = data.get("county") or ""
    if county and not (isinstance(county, str) and len(county) == 2 and county.isdigit()):
        raise CatalogueError(f"{path.name}: county {county!r} is not a two-digit SCB code")
    return Ladder(path, county, str(data.get("name", "")), data["groups"])


def steering_groups_read(*paths: Path) -> list[Ladder]:
    """Read and check the files against the catalogue in the database; all problems at once."""
    ladders = [_ladder(path) for path in paths or ladder_paths()]
    agencies = set(Agency.objects.values_list("code", flat=True))
    municipalities = set(Municipality.objects.values_list("code", flat=True))
    forbund = dict(Forbund.objects.values_list("slug", "pk"))
    errors: list[str] = []
    seen: set[str] = set()
    for ladder in ladders:
        for row in ladder.groups:
            where = f"{ladder.path.name}: steering group {row.get('slug')}"
            if missing := [key for key in REQUIRED if key not in row]:
                errors.append(f"{where}: missing {', '.join(missing)}")
                continue
            if row["slug"] in seen:
                errors.append(f"{where}: listed twice")
            seen.add(row["slug"])
            if row["level"] not in LEVELS:
                errors.append(f"{where}: level {row['level']!r} is not one of {list(LEVELS)}")
            elif ladder.county and row["level"] in NATIONAL_LEVELS:
                errors.append(f"{where}: level {row['level']} belongs in {NATIONAL_FILE.name}")
            if row["mandate"] not in MANDATES:
                errors.append(f"{where}: mandate {row['mandate']!r} is not one of {list(MANDATES)}")
            if row.get("forbund") and row["forbund"] not in forbund:
                errors.append(f"{where}: unknown förbund {row['forbund']}")
            errors += [f"{where}: unknown agency {c}" for c in row["agencies"] if c not in agencies]
            for code in row["municipalities"]:
                if code not in municipalities:
                    errors.append(f"{where}: unknown municipality {code}")
                elif ladder.county and county_of(code) != ladder.county:
                    errors.append(f"{where}: municipality {code} is not in county {ladder.county}")
    if errors:
        raise CatalogueError("\n".join(errors))
    return ladders


@transaction.atomic
def steering_groups_load(*, county: str | None = None, path: Path | None = None) -> dict[str, int]:
    """Create or update the groups of the national ladder and one county's (`county`, a file
    name) or every county's; `path` loads that one file alone. Returns created, updated and
    read counts."""
    ladders = steering_groups_read(*([path] if path is not None else ladder_paths(county)))
    agencies = {a.code: a for a in Agency.objects.all()}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    forbund = {f.slug: f for f in Forbund.objects.all()}
    counts = {"created": 0, "updated": 0, "groups": sum(len(ladder.groups) for ladder in ladders)}
    routing_changed = False
    for ladder in ladders:
        for row in ladder.groups:
            created, changed = _group_save(ladder, row, agencies, municipalities, forbund)
            counts["created" if created else "updated"] += int(created or bool(changed))
            routing_changed |= created or bool({"level", "mandate", "county", "m2m"} & changed)
    if routing_changed:
        escalations_reroute(by=None)
    return counts


def _group_save(
    ladder: Ladder,
    row: dict[str, Any],
    agencies: dict[str, Agency],
    municipalities: dict[str, Municipality],
    forbund: dict[str, Forbund],
) -> tuple[bool, set[str]]:
    """Create or update one group; (created, names of what changed, "m2m" for area or
    agencies)."""
    values: dict[str, Any] = {
        "name": row["name"],
        "level": row["level"],
        "mandate": MandateLevel.from_code(row["mandate"]).value,
        "forbund": forbund.get(row.get("forbund") or ""),
        "county": ladder.county,
        "verified": bool(row.get("verified", False)),
        "source": str(row.get("source", ""))[:500],
    }
    group = SteeringGroup.objects.filter(slug=row["slug"]).first()
    created = group is None
    if group is None:
        group = SteeringGroup(slug=row["slug"], **values)
        changed = set(values)
    else:
        changed = {name for name, value in values.items() if getattr(group, name) != value}
        for name in changed:
            setattr(group, name, values[name])
    if changed:
        group.full_clean()
        group.save()
    for manager, wanted in (
        (group.municipalities, [municipalities[c] for c in row["municipalities"]]),
        (group.agencies, [agencies[c] for c in row["agencies"]]),
    ):
        if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
            manager.set(wanted)
            changed.add("m2m")
    return created, changed
