"""The mapping rules on their own: what a file may say, and what matching rules give."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deviations.sso.checks import sso_check
from deviations.sso.rules import (
    NoRuleMatchesError,
    OrganisationsDisagreeError,
    RulesInvalidError,
    attributes_clean,
    grant_for,
    rules_parse,
)

ROLES = ("staff", "analyst", "admin")


def parse(data: Any):
    return rules_parse(data, known_roles=ROLES)


def test_matching_rules_add_up_and_agree_on_one_organisation() -> None:
    rules = parse(
        [
            {"when": {"attribute": "groups", "contains": "KP-Analys"}, "organisation": "hbs",
             "roles": ["analyst"]},
            {"when": [{"attribute": "email", "endswith": "@hbs.example"},
                      {"attribute": "groups", "contains": "kp-admin"}],
             "organisation": "hbs", "roles": ["admin"], "units": ["MIA HBS"]},
            {"when": {"attribute": "groups", "contains": "kp-analys"}, "organisation": "hbs",
             "roles": ["staff"], "units": ["MIA HBS 2"]},
        ]
    )  # fmt: skip
    person = attributes_clean(
        {"groups": ["kp-analys", "kp-admin"], "email": "Anna@HBS.example", "verified": True}
    )

    grant = grant_for(rules, person)

    assert grant.organisation == "hbs"
    assert grant.roles == {"analyst", "admin", "staff"}
    assert grant.units == {"MIA HBS", "MIA HBS 2"}
    assert grant.rules == (1, 2, 3)
    # Without the admin group the two-condition rule does not hold; units only from rule 3.
    grant = grant_for(rules, attributes_clean({"groups": "kp-analys", "email": "a@hbs.example"}))
    assert grant.roles == {"analyst", "staff"}
    assert grant.units == {"MIA HBS 2"}


def test_no_match_and_disagreement_are_refusals() -> None:
    rules = parse(
        [
            {"when": {"attribute": "groups", "contains": "a"}, "organisation": "hbs", "roles": []},
            {"when": {"attribute": "groups", "contains": "b"}, "organisation": None,
             "roles": ["staff"]},
        ]
    )  # fmt: skip
    with pytest.raises(NoRuleMatchesError):
        grant_for(rules, {"groups": ["c"], "email": ["a"]})
    with pytest.raises(OrganisationsDisagreeError):
        grant_for(rules, {"groups": ["a", "b"]})
    assert grant_for(rules, {"groups": ["b"]}).units is None  # no rule speaks of units


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ([], "non-empty list"),
        ({"rules": "x"}, "non-empty list"),
        ([{"when": {"attribute": "g", "contains": "x"}, "roles": []}],
         '"organisation" is required'),
        ([{"when": {"attribute": "g", "contains": "x"}, "organisation": None,
           "roles": ["boss"]}], "unknown role(s) boss"),
        ([{"when": {"attribute": "g", "is": "x"}, "organisation": None}], "one of"),
        ([{"when": {"attribute": "g", "contains": ""}, "organisation": None}], "non-empty"),
        ([{"when": [], "organisation": None}], "at least one condition"),
        ([{"when": {"attribute": "g", "contains": "x"}, "organisation": None, "unit": []}],
         "unknown key(s) unit"),
    ],
)  # fmt: skip
def test_a_bad_file_says_which_rule_and_why(data: Any, says: str) -> None:
    with pytest.raises(RulesInvalidError) as error:
        parse(data)
    assert says in str(error.value)


def test_the_start_stops_on_unusable_rules(settings: Any, tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"when": {"attribute": "groups", "contains": "x"}}]))
    settings.OIDC_RP_CLIENT_ID = "knutpunkt"
    settings.SSO_RULES_FILE = str(rules)
    messages = " ".join(error.msg for error in sso_check())
    assert "rule 1" in messages
    assert "OIDC_OP_TOKEN_ENDPOINT" in messages  # half configured, said too

    settings.OIDC_RP_CLIENT_ID = ""
    assert sso_check() == []  # single sign-on off: the rules are not read


def test_saml_without_https_is_warned_of(settings: Any, tmp_path: Path) -> None:
    """Chromium drops djangosaml2's SameSite=None cookie unless Secure (tests/browser/test_sso.py
    fails without it), so SAML over plain HTTP would fail every sign-in."""
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps([{"when": {"attribute": "g", "contains": "x"}, "organisation": None}])
    )
    settings.SSO_RULES_FILE = str(rules)
    settings.SAML_IDP_METADATA_FILE = str(tmp_path / "idp.xml")
    settings.SESSION_COOKIE_SECURE = False
    assert [message.id for message in sso_check()] == ["sso.E004", "sso.W001"]
    (tmp_path / "idp.xml").write_text("<EntityDescriptor/>")
    assert [message.id for message in sso_check()] == ["sso.W001"]
    settings.SESSION_COOKIE_SECURE = True
    assert sso_check() == []


def test_the_shipped_example_is_a_valid_rules_file() -> None:
    from core.roles import ROLE_LABELS
    from deviations.sso.rules import rules_read

    example = Path(__file__).resolve().parents[2] / "deploy" / "sso-rules.example.json"
    rules = rules_read(example, known_roles=ROLE_LABELS)
    grant = grant_for(rules, {"groups": ["knutpunkt-roslagen-analytiker"]})
    assert (grant.organisation, grant.roles) == ("roslagen", {"analyst"})
