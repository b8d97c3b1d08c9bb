"""Single sign-on end to end against identity providers running in their own processes: the
organisation and roles come from the provider through the rules, the account is made on the
first sign-in and brought up to date on the next, and refusals are clear pages, not errors."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from django.test import Client

from deviations.models import User
from tests.sso.conftest import (
    Provider,
    form_action,
    free_port,
    hidden_inputs,
    oidc_sign_in,
    saml_sign_in,
)

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
    settings.SSO_OIDC_LABEL = "Region Testlän"
    page = requests.get(f"{sso_world}/konto/logga-in/", timeout=10).text
    assert "Logga in med Region Testlän" in page
    assert "/konto/sso/oidc/logga-in/" in page
    assert "/konto/sso/saml/logga-in/" in page


def test_a_tampered_saml_response_is_refused(saml_idp: Provider, sso_world: str) -> None:
    """The signature is really checked (xmlsec1): a group added on the way is no admin."""
    person = saml_idp.person("greta", ["kp-roslagen-personal"])
    browser = requests.Session()
    page = browser.get(f"{sso_world}/konto/sso/saml/logga-in/?next=/", timeout=20)
    answer = browser.post(
        page.url.split("/sso/")[0] + "/sso/login",
        data={**hidden_inputs(page.text), "username": "greta", "password": person["password"]},
        timeout=20,
    )
    fields = hidden_inputs(answer.text)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "kp-roslagen-personal" in xml
    fields["SAMLResponse"] = base64.b64encode(
        xml.replace("kp-roslagen-personal", "kp-roslagen-admin").encode()
    ).decode()

    response = browser.post(form_action(answer.text), data=fields, timeout=20)

    assert response.status_code == 403
    assert "Svaret från inloggningstjänsten gick inte att använda" in response.text
    assert not User.objects.filter(username="greta").exists()


def test_a_provider_that_stops_answering_gets_a_clear_page(
    oidc_provider: Provider, sso_world: str
) -> None:
    person = oidc_provider.person("gustav", ["kp-roslagen-analytiker"])
    browser = requests.Session()
    page = browser.get(f"{sso_world}/konto/sso/oidc/logga-in/?next=/", timeout=20)
    response = browser.post(
        page.url,
        data={**hidden_inputs(page.text), "username": "gustav", "password": person["password"]},
        allow_redirects=False,
        timeout=20,
    )
    while not response.headers["Location"].startswith(sso_world):  # on at the provider
        location = urljoin(response.url, response.headers["Location"])
        response = browser.get(location, allow_redirects=False, timeout=20)
    oidc_provider.process.terminate()  # gone before Knutpunkt exchanges the code
    oidc_provider.process.wait(timeout=10)

    response = browser.get(response.headers["Location"], timeout=20)

    assert response.status_code == 503
    assert "Inloggningstjänsten svarar inte" in response.text
    assert not User.objects.filter(username="gustav").exists()


@pytest.mark.django_db
def test_saml_metadata_out_of_reach_gets_a_clear_page(client: Client, settings: Any) -> None:
    settings.SAML_IDP_METADATA_URL = f"http://127.0.0.1:{free_port()}/metadata"
    response = client.get("/konto/sso/saml/logga-in/")
    assert response.status_code == 503
    assert "Inloggningstjänsten svarar inte" in response.content.decode()


@pytest.mark.django_db
def test_without_configuration_there_is_no_single_sign_on(client: Client) -> None:
    page = client.get("/konto/logga-in/").content.decode()
    assert "/konto/sso/" not in page
    assert client.get("/konto/sso/oidc/logga-in/").status_code == 404
