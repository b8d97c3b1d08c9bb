"""The mapping from what the identity provider says to organisation, roles and units: data.

The rules live in a JSON file (SSO_RULES_FILE; example in deploy/sso-rules.example.json) so
that a site changes who gets what without a release. A rule is

    {"when": {"attribute": "groups", "contains": "knutpunkt-analytiker"},
     "organisation": "roslagen", "roles": ["analyst"], "units": ["MIA Roslagen"]}

`when` is one condition or a list of them (all must hold); a condition names an attribute and
`contains` (one of its values is this, ignoring case) or `endswith` (one of its values ends so,
for e-mail domains). Every matching rule counts: roles and units add up, and the matching rules
must agree on one organisation (`null`: the whole installation). No matching rule: no entry.
Pure: no Django, so the same function serves both protocols and is tested without a server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OPERATORS = ("contains", "endswith")


class RulesInvalidError(ValueError):
    """The rules file cannot be used; the message says where and why (in English, for the
    operator: it stops the start, people never see it)."""


@dataclass(frozen=True)
class Condition:
    attribute: str
    operator: str
    value: str

    def holds(self, attributes: Mapping[str, list[str]]) -> bool:
        wanted = self.value.casefold()
        values = [value.casefold() for value in attributes.get(self.attribute, ())]
        if self.operator == "contains":
            return wanted in values
        return any(value.endswith(wanted) for value in values)


@dataclass(frozen=True)
class Rule:
    conditions: tuple[Condition, ...]
    organisation: str | None
    roles: tuple[str, ...]
    units: tuple[str, ...] | None  # None: the rule says nothing about units

    def matches(self, attributes: Mapping[str, list[str]]) -> bool:
        return all(condition.holds(attributes) for condition in self.conditions)


@dataclass(frozen=True)
class Grant:
    """What the matching rules give one person."""

    organisation: str | None
    roles: frozenset[str]
    units: frozenset[str] | None  # None: no matching rule names units; leave them as they are
    rules: tuple[int, ...] = field(default=())  # the matching rules' positions, for the log


class NoRuleMatchesError(Exception):
    """No rule gives this person access."""


class OrganisationsDisagreeError(Exception):
    """The matching rules name different organisations."""

    def __init__(self, organisations: Iterable[str | None]) -> None:
        self.organisations = sorted(str(name) for name in organisations)
        super().__init__(", ".join(self.organisations))


def attributes_clean(raw: Mapping[str, Any]) -> dict[str, list[str]]:
    """Claims and SAML attributes alike as name -> list of strings (a claim may be a string,
    a list or a boolean; nested objects are not matched on)."""
    cleaned: dict[str, list[str]] = {}
    for name, value in raw.items():
        values = value if isinstance(value, list | tuple) else [value]
        cleaned[str(name)] = [
            str(item) for item in values if isinstance(item, str | int | float | bool)
        ]
    return cleaned


def _condition(raw: Any, where: str) -> Condition:
    if not isinstance(raw, dict) or not isinstance(raw.get("attribute"), str):
        raise RulesInvalidError(f"{where}: a condition needs an attribute name")
    operators = [name for name in OPERATORS if name in raw]
    if len(operators) != 1 or set(raw) != {"attribute", operators[0]}:
        raise RulesInvalidError(f"{where}: a condition has an attribute and one of {OPERATORS}")
    value = raw[operators[0]]
    if not isinstance(value, str) or not value:
        raise RulesInvalidError(f"{where}: {operators[0]} needs a non-empty text")
    return Condition(raw["attribute"], operators[0], value)


def _names(raw: Any, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(name, str) and name for name in raw):
        raise RulesInvalidError(f"{where}: {what} must be a list of names")
    return tuple(raw)


def rules_parse(data: Any, *, known_roles: Iterable[str]) -> tuple[Rule, ...]:
    """The rules from the file's JSON (a list, or {"rules": [...]}); raises RulesInvalidError."""
    known = set(known_roles)
    items = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise RulesInvalidError(
            'the file must hold a non-empty list of rules (or {"rules": [...]})'
        )
    rules = []
    for number, item in enumerate(items, start=1):
        where = f"rule {number}"
        if not isinstance(item, dict):
            raise RulesInvalidError(f"{where}: a rule is an object")
        unknown_keys = set(item) - {"when", "organisation", "roles", "units", "comment"}
        if unknown_keys:
            raise RulesInvalidError(f"{where}: unknown key(s) {', '.join(sorted(unknown_keys))}")
        if "organisation" not in item:
            raise RulesInvalidError(f'{where}: "organisation" is required (null: the whole site)')
        organisation = item["organisation"]
        if organisation is not None and not (isinstance(organisation, str) and organisation):
            raise RulesInvalidError(f"{where}: organisation is a förbund's slug or null")
        when = item.get("when")
        conditions = when if isinstance(when, list) else [when]
        if not conditions:
            raise RulesInvalidError(f"{where}: when needs at least one condition")
        roles = _names(item.get("roles", []), where, "roles")
        unknown_roles = set(roles) - known
        if unknown_roles:
            raise RulesInvalidError(
                f"{where}: unknown role(s) {', '.join(sorted(unknown_roles))}; "
                f"use some of {', '.join(sorted(known))}"
            )
        rules.append(
            Rule(
                conditions=tuple(_condition(raw, where) for raw in conditions),
                organisation=organisation,
                roles=roles,
                units=_names(item["units"], where, "units") if "units" in item else None,
            )
        )
    return tuple(rules)


def rules_read(path: str | Path, *, known_roles: Iterable[str]) -> tuple[Rule, ...]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise RulesInvalidError(f"cannot read {path}: {error.strerror}") from error
    except ValueError as error:
        raise RulesInvalidError(f"{path} is not JSON: {error}") from error
    return rules_parse(data, known_roles=known_roles)


def grant_for(rules: Iterable[Rule], attributes: Mapping[str, list[str]]) -> Grant:
    """What the matching rules give; raises NoRuleMatchesError or OrganisationsDisagreeError."""
    matching = [(n, rule) for n, rule in enumerate(rules, start=1) if rule.matches(attributes)]
    if not matching:
        raise NoRuleMatchesError
    organisations = {rule.organisation for _, rule in matching}
    if len(organisations) > 1:
        raise OrganisationsDisagreeError(organisations)
    unit_lists = [rule.units for _, rule in matching if rule.units is not None]
    return Grant(
        organisation=organisations.pop(),
        roles=frozenset(role for _, rule in matching for role in rule.roles),
        units=frozenset(u for units in unit_lists for u in units) if unit_lists else None,
        rules=tuple(n for n, _ in matching),
    )
