"""Reading and checking the catalogue's data files, before anything touches the database.

Pure: plain dicts in, plain dataclasses and error lists out. The loader (loader.py) writes what
this module has accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from catalogue.tagids import is_tag_id, parse_tag_id, provision_tag_id

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("agencies", "municipalities", "forbund", "laws", "provisions", "terms", "concordance")
LAW_KINDS = {"lag", "forordning", "foreskrift", "allmanna_rad"}


class CatalogueError(ValueError):
    """The data files are inconsistent; the message lists every problem found."""


@dataclass(frozen=True, slots=True)
class CatalogueData:
    agencies: list[dict[str, Any]]
    municipalities: list[dict[str, Any]]
    forbund: list[dict[str, Any]]
    laws: list[dict[str, Any]]
    provisions: list[dict[str, Any]]
    terms: list[dict[str, Any]]
    concordance: list[dict[str, Any]]


def read_catalogue(data_dir: Path = DATA_DIR) -> CatalogueData:
    """Read and check every file; raise CatalogueError naming all problems at once."""
    docs: dict[str, list[dict[str, Any]]] = {}
    errors: list[str] = []
    for name in FILES:
        path = data_dir / f"{name}.json"
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            errors.append(f"{path.name}: {exc}")
            continue
        if not isinstance(loaded, list):
            errors.append(f"{path.name}: expected a JSON list")
            continue
        docs[name] = loaded
    if errors:
        raise CatalogueError("; ".join(errors))
    data = CatalogueData(**docs)
    errors = check_catalogue(data)
    if errors:
        raise CatalogueError("\n".join(errors))
    return data


def _require(errors: list[str], where: str, row: dict[str, Any], keys: tuple[str, ...]) -> bool:
    missing = [key for key in keys if key not in row]
    if missing:
        errors.append(f"{where}: missing {', '.join(missing)}")
    return not missing


def _check_date(errors: list[str], where: str, value: Any) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        errors.append(f"{where}: {value!r} is not a YYYY-MM-DD date")


def check_catalogue(data: CatalogueData) -> list[str]:
    """Every cross-reference resolves and every identifier is well formed."""
    errors: list[str] = []
    agency_codes = {a["code"] for a in data.agencies if "code" in a}
    municipality_codes = {m["code"] for m in data.municipalities if "code" in m}
    law_sfs = {law["sfs"] for law in data.laws if law.get("sfs")}

    for a in data.agencies:
        _require(errors, f"agency {a.get('code')}", a, ("code", "name"))
    for m in data.municipalities:
        if _require(errors, f"municipality {m.get('name')}", m, ("code", "name")) and not (
            len(m["code"]) == 4 and m["code"].isdigit()
        ):
            errors.append(f"municipality {m['name']}: code {m['code']!r} is not four digits")
    for f in data.forbund:
        if _require(errors, f"förbund {f.get('slug')}", f, ("slug", "name", "municipalities")):
            errors.extend(
                f"förbund {f['slug']}: unknown municipality {code}"
                for code in f["municipalities"]
                if code not in municipality_codes
            )
    for law in data.laws:
        where = f"law {law.get('sfs') or law.get('title')}"
        if not _require(errors, where, law, ("sfs", "title", "kind")):
            continue
        if law["kind"] not in LAW_KINDS:
            errors.append(f"{where}: kind {law['kind']!r} is not one of {sorted(LAW_KINDS)}")
        _check_date(errors, where, law.get("in_force_from"))
        _check_date(errors, where, law.get("in_force_to"))
        if law.get("replaced_by") and law["replaced_by"] not in law_sfs:
            errors.append(f"{where}: replaced by unknown law {law['replaced_by']}")
        errors.extend(
            f"{where}: unknown agency {code}"
            for code in law.get("agencies", [])
            if code not in agency_codes
        )
    provision_ids: set[str] = set()
    for p in data.provisions:
        where = f"provision {p.get('law')} {p.get('chapter')}:{p.get('section')}"
        if not _require(errors, where, p, ("law", "chapter", "section")):
            continue
        if p["law"] not in law_sfs:
            errors.append(f"{where}: unknown law")
            continue
        try:
            tag_id = provision_tag_id(p["law"], p["chapter"], p["section"])
        except ValueError as exc:
            errors.append(f"{where}: {exc}")
            continue
        if tag_id in provision_ids:
            errors.append(f"{where}: listed twice")
        provision_ids.add(tag_id)
    errors.extend(_check_concordance(data.concordance, law_sfs))
    for t in data.terms:
        where = f"term {t.get('term')}"
        if not _require(errors, where, t, ("term", "targets")):
            continue
        if t.get("agency") and t["agency"] not in agency_codes:
            errors.append(f"{where}: unknown agency {t['agency']}")
        for target in [*t["targets"], *t.get("candidates", [])]:
            tag_id = target.get("tag", "") if isinstance(target, dict) else target
            errors.extend(_check_target(where, tag_id, agency_codes, law_sfs, provision_ids))
            if isinstance(target, dict):
                _check_date(errors, where, target.get("from"))
                _check_date(errors, where, target.get("until"))
    return errors


def _check_target(
    where: str, tag_id: str, agency_codes: set[str], law_sfs: set[str], provision_ids: set[str]
) -> list[str]:
    if not is_tag_id(tag_id):
        return [f"{where}: {tag_id!r} is not a tag identifier"]
    parsed = parse_tag_id(tag_id)
    if parsed.kind == "agency" and parsed.agency not in agency_codes:
        return [f"{where}: unknown agency in {tag_id}"]
    if parsed.kind == "law" and parsed.sfs not in law_sfs:
        return [f"{where}: unknown law in {tag_id}"]
    if parsed.kind == "provision" and tag_id not in provision_ids:
        return [f"{where}: {tag_id} is not in provisions.json"]
    return []


def _reference(errors: list[str], where: str, ref: Any, law_sfs: set[str]) -> str | None:
    """The tag of a concordance end ({"law", "chapter", "section"}), or None after an error."""
    if not isinstance(ref, dict) or not _require(errors, where, ref, ("law", "chapter", "section")):
        if not isinstance(ref, dict):
            errors.append(f"{where}: expected an object with law, chapter and section")
        return None
    if ref["law"] not in law_sfs:
        errors.append(f"{where}: unknown law {ref['law']}")
        return None
    try:
        return provision_tag_id(ref["law"], ref["chapter"], ref["section"])
    except ValueError as exc:
        errors.append(f"{where}: {exc}")
        return None


def _check_concordance(lines: list[dict[str, Any]], law_sfs: set[str]) -> list[str]:
    """Each line names an old provision and one or more new ones, of different laws, with a
    source; an old provision is listed once."""
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        where = f"concordance line {number}"
        if not _require(errors, where, line, ("old", "new", "source")):
            continue
        old = _reference(errors, f"{where} (old)", line["old"], law_sfs)
        news = line["new"] if isinstance(line["new"], list) else []
        if not news:
            errors.append(f"{where}: new must list at least one provision")
        for new_ref in news:
            new = _reference(errors, f"{where} (new)", new_ref, law_sfs)
            if old and new and new_ref["law"] == line["old"]["law"]:
                errors.append(f"{where}: old and new provision are of the same law")
        if old in seen:
            errors.append(f"{where}: {old} is listed twice")
        if old:
            seen.add(old)
        if not str(line["source"]).strip():
            errors.append(f"{where}: the source is empty")
    return errors
