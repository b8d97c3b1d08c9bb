"""Single sign-on end to end against identity providers running in their own processes: the
organisation and roles come from the provider through the rules, the account is made on the
first sign-in and brought up to date on the next, and refusals are clear pages, not errors."""

from __future__ import annotations

from typing import Any

import pytest

from deviations.models import User
from tests.sso.conftest import Provider, oidc_sign_in, saml_sign_in

SIGN_IN = {"oidc": oidc_sign_in, "saml": saml_sign_in}


@pytest.fixture(params=["oidc", "saml"])
def protocol(request: pytest.FixtureRequest) -> tuple[str, Provider]:
    fixture = "oidc_provider" if request.param == "oidc" else "saml_idp"
    return request.param, request.getfixturevalue(fixture)


def roles(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_first_sign_in_creates_the_account_and_the_next_one_follows_the_provider(
    protocol: tuple[str, Provider], sso_world: str, settings: Any
) -> None:
    name, provider = protocol
    settings.KNUTPUNKT_REQUIRE_TOTP = "all"  # the provider's sign-in counts; no local code
    person = provider.person("anna", ["kp-roslagen-analytiker", "other-group"])

    browser, response = SIGN_IN[name](sso_world, person)

    assert response.status_code == 200
    assert response.url == f"{sso_world}/"
    user = User.objects.get(username="anna")
    assert user.organisation.slug == "roslagen"
    assert roles(user) == {"analyst"}
    assert user.email == "anna@example.se"
    assert not user.has_usable_password()
    assert browser.get(f"{sso_world}/konto/profil/", timeout=10).url.endswith("/konto/profil/")

    # The provider moves her: staff in Roslagen with the unit the rule names; analyst no more.
    person = provider.person("anna", ["kp-roslagen-personal"])
    _, response = SIGN_IN[name](sso_world, person)

    assert response.url == f"{sso_world}/"
    user.refresh_from_db()
    assert roles(user) == {"staff"}
    assert [unit.name for unit in user.units.all()] == ["MIA Roslagen (SSO-test)"]
    assert User.objects.filter(username="anna").count() == 1
    reasons = set(user.history.values_list("history_change_reason", flat=True))
    assert any(reason and reason.startswith("single sign-on") for reason in reasons)
    assert user.history.count() >= 3  # created, roles, then the new roles and unit


def test_no_matching_rule_is_refused_with_a_reason(
    protocol: tuple[str, Provider], sso_world: str
) -> None:
    name, provider = protocol
    person = provider.person("bertil", ["some-other-system"])

    browser, response = SIGN_IN[name](sso_world, person)

    assert response.status_code == 403
    assert "ger ingen åtkomst till Knutpunkt" in response.text
    assert not User.objects.filter(username="bertil").exists()
    assert browser.get(f"{sso_world}/", timeout=10).url.startswith(f"{sso_world}/konto/logga-in/")


def test_unknown_organisation_and_disagreeing_rules_are_refused(
    protocol: tuple[str, Provider], sso_world: str
) -> None:
    name, provider = protocol
    unknown = provider.person("cecilia", ["kp-okand-organisation"])
    both = provider.person("david", ["kp-roslagen-analytiker", "kp-hbs-analytiker"])

    _, response = SIGN_IN[name](sso_world, unknown)
    assert response.status_code == 403
    assert "Organisationen som inloggningsreglerna ger dig finns inte" in response.text

    _, response = SIGN_IN[name](sso_world, both)
    assert response.status_code == 403
    assert "mer än en organisation" in response.text
    assert not User.objects.filter(username__in=["cecilia", "david"]).exists()


def test_a_deactivated_account_stays_out(protocol: tuple[str, Provider], sso_world: str) -> None:
    name, provider = protocol
    User.objects.create(username="erik", email="erik@example.se", is_active=False)
    person = provider.person("erik", ["kp-roslagen-analytiker"])

    browser, response = SIGN_IN[name](sso_world, person)

    assert response.status_code == 403
    assert "avaktiverat" in response.text
    assert browser.get(f"{sso_world}/", timeout=10).url.startswith(f"{sso_world}/konto/logga-in/")
    assert not User.objects.get(username="erik").groups.exists()


def test_sign_out_ends_the_session(protocol: tuple[str, Provider], sso_world: str) -> None:
    name, provider = protocol
    person = provider.person("frida", ["kp-roslagen-analytiker"])
    browser, response = SIGN_IN[name](sso_world, person)
    assert response.url == f"{sso_world}/"

    response = browser.post(
        f"{sso_world}/konto/logga-ut/",
        headers={"X-CSRFToken": browser.cookies["csrftoken"]},
        timeout=20,
    )

    assert response.url.startswith(f"{sso_world}/konto/logga-in/")
    assert browser.get(f"{sso_world}/", timeout=10).url.startswith(f"{sso_world}/konto/logga-in/")
    if name == "oidc":
        # RP-initiated logout ended the provider's session too: its login form is asked again.
        page = browser.get(f"{sso_world}/konto/sso/oidc/logga-in/?next=/", timeout=20)
        assert page.url.startswith(f"{provider.base}/login/")


def test_login_page_offers_each_configured_protocol(
    oidc_provider: Provider, saml_idp: Provider, sso_world: str, settings: Any
) -> None:
    import requests

    settings.SSO_OIDC_LABEL = "Region Testlän"
    page = requests.get(f"{sso_world}/konto/logga-in/", timeout=10).text
    assert "Logga in med Region Testlän" in page
    assert "/konto/sso/oidc/logga-in/" in page
    assert "/konto/sso/saml/logga-in/" in page
