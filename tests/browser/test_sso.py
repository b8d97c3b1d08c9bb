"""Single sign-on in Chromium, as people will use it: the login page with its "Logga in med …"
buttons, the identity provider's form, and back signed in (OpenID Connect and SAML, against the
providers tests/sso starts); the login page and a refusal without axe violations on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from deviations.models import User
from tests.browser.conftest import page_width, screenshot, serious_violations
from tests.sso.conftest import (  # noqa: F401 - the identity providers, as fixtures
    Provider,
    oidc_provider,
    saml_idp,
    sso_world,
)

pytestmark = pytest.mark.browser


def provider_sign_in(page: Page, person: dict[str, Any]) -> None:
    page.locator("input[name=username]").fill(person["username"])
    page.locator("input[name=password]").fill(person["password"])
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_with_either_protocol_on_a_phone(
    page: Page,
    oidc_provider: Provider,  # noqa: F811
    saml_idp: Provider,  # noqa: F811
    sso_world: str,  # noqa: F811
    settings: Any,
    axe_source: str,
) -> None:
    # SAML's own cookie is SameSite=None, which browsers take only when Secure; Chromium
    # keeps Secure cookies on http://localhost, as production keeps them on https (SECURE=1).
    settings.SESSION_COOKIE_SECURE = True
    settings.SSO_OIDC_LABEL = "Region Testlän"
    settings.SSO_SAML_LABEL = "Testkommunens konto"
    anna = oidc_provider.person("anna", ["kp-roslagen-analytiker"])
    bo = saml_idp.person("bo", ["kp-roslagen-personal"])
    nils = oidc_provider.person("nils", ["nothing-for-knutpunkt"])

    page.goto("/konto/logga-in/")
    problems = {"login": serious_violations(page, axe_source)}
    widths = {"login": page_width(page)}
    screenshot(page, "sso-login-phone")

    page.get_by_role("link", name="Logga in med Region Testlän").click()
    provider_sign_in(page, anna)
    expect(page).to_have_url(f"{sso_world}/")
    assert User.objects.get(username="anna").organisation.slug == "roslagen"
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(f"{sso_world}/konto/logga-in/")

    page.get_by_role("link", name="Logga in med Testkommunens konto").click()
    provider_sign_in(page, bo)  # the IdP's page posts the signed answer back by itself
    expect(page).to_have_url(f"{sso_world}/")
    assert User.objects.get(username="bo").groups.get().name == "staff"
    page.get_by_role("button", name="Logga ut").click()

    page.goto("/konto/logga-in/")
    page.get_by_role("link", name="Logga in med Region Testlän").click()
    provider_sign_in(page, nils)
    expect(page.get_by_role("heading", name="Inloggningen gick inte")).to_be_visible()
    problems["refused"] = serious_violations(page, axe_source)
    widths["refused"] = page_width(page)
    screenshot(page, "sso-refused-phone")

    assert problems == {"login": [], "refused": []}
    assert all(width <= 375 for width in widths.values()), widths
