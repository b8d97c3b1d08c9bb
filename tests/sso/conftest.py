"""Identity providers started for the tests, each in its own process on a free loopback port:
django-oauth-toolkit as the OpenID Connect provider (tests/sso/oidc_provider.py) and pysaml2's
IdP (tests/sso/saml_idp.py). Knutpunkt runs as pytest-django's live server; the tests drive
the redirects and forms with `requests`, as a browser would, through the real libraries."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from deviations.models import Unit

ROOT = Path(__file__).resolve().parents[2]
UNIT = "MIA Roslagen (SSO-test)"
RULES = [
    {
        "when": {"attribute": "groups", "contains": "kp-roslagen-analytiker"},
        "organisation": "roslagen",
        "roles": ["analyst"],
    },
    {
        "when": {"attribute": "groups", "contains": "kp-roslagen-admin"},
        "organisation": "roslagen",
        "roles": ["admin"],
    },
    {
        "when": {"attribute": "groups", "contains": "kp-roslagen-personal"},
        "organisation": "roslagen",
        "roles": ["staff"],
        "units": [UNIT],
    },
    {
        "when": {"attribute": "groups", "contains": "kp-hbs-analytiker"},
        "organisation": "hbs",
        "roles": ["analyst"],
    },
    {
        "when": {"attribute": "groups", "contains": "kp-okand-organisation"},
        "organisation": "finns-inte",
        "roles": ["staff"],
    },
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(module: str, args: list[str], log: Path) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own test servers
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if line.strip() != "ready":
        process.kill()
        pytest.fail(f"{module} did not start: {log.read_text()[-2000:]}")
    return process


@dataclass
class Provider:
    base: str
    control_token: str
    process: subprocess.Popen

    def person(self, username: str, groups: list[str], **details: str) -> dict[str, Any]:
        person = {
            "username": username,
            "password": "lösen-" + username,
            "email": f"{username}@example.se",
            "first_name": username.capitalize(),
            "last_name": "Testsson",
            "groups": groups,
            **details,
        }
        response = requests.post(
            f"{self.base}/control/user",
            data=json.dumps(person),
            headers={"Authorization": f"Bearer {self.control_token}"},
            timeout=10,
        )
        response.raise_for_status()
        return person


@pytest.fixture
def sso_world(committed_catalogue: None, live_server: Any, settings: Any, tmp_path: Path) -> str:
    """The rules file and a unit they name; returns the live server's address."""
    rules = tmp_path / "sso-rules.json"
    rules.write_text(json.dumps({"rules": RULES}), encoding="utf-8")
    settings.SSO_RULES_FILE = str(rules)
    settings.SITE_URL = live_server.url  # the addresses the service provider announces
    Unit.objects.get_or_create(name=UNIT)
    return live_server.url


@pytest.fixture
def oidc_provider(sso_world: str, settings: Any, tmp_path: Path) -> Iterator[Provider]:
    port, token = free_port(), secrets.token_hex(16)
    client_id, secret = "knutpunkt", secrets.token_hex(16)
    process = start(
        "tests.sso.oidc_provider",
        [str(port), client_id, secret, f"{sso_world}/konto/sso/oidc/tillbaka/", token,
         str(tmp_path)],
        tmp_path / "oidc-provider.log",
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    settings.OIDC_RP_CLIENT_ID = client_id
    settings.OIDC_RP_CLIENT_SECRET = secret
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/o/.well-known/jwks.json"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{base}/o/logout/"
    yield Provider(base, token, process)
    process.terminate()
    process.wait(timeout=10)


def _certificate(directory: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    (directory / "idp.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    (directory / "idp.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


@pytest.fixture
def saml_idp(sso_world: str, settings: Any, tmp_path: Path) -> Iterator[Provider]:
    port, token = free_port(), secrets.token_hex(16)
    _certificate(tmp_path)
    process = start(
        "tests.sso.saml_idp",
        [str(port), f"{sso_world}/konto/sso/saml/metadata/", token, str(tmp_path)],
        tmp_path / "saml-idp.log",
    )
    base = f"http://127.0.0.1:{port}"
    settings.SAML_IDP_METADATA_URL = f"{base}/metadata"
    yield Provider(base, token, process)
    process.terminate()
    process.wait(timeout=10)


# --- Driving the forms as a browser would --------------------------------------------------------


def hidden_inputs(page: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1) if value else "")
    return fields


def form_action(page: str) -> str:
    found = re.search(r'<form[^>]*action="([^"]*)"', page)
    assert found, page[:500]
    return html.unescape(found.group(1))


def oidc_sign_in(base: str, person: dict[str, Any], browser: requests.Session | None = None):
    """Knutpunkt's "Log in with ..." link, the provider's login form, and back."""
    browser = browser or requests.Session()
    page = browser.get(f"{base}/konto/sso/oidc/logga-in/?next=/", timeout=20)
    assert "provider_csrftoken" in browser.cookies, page.url  # at the provider's login form
    response = browser.post(
        page.url,
        data={
            **hidden_inputs(page.text),
            "username": person["username"],
            "password": person["password"],
        },
        timeout=20,
    )
    return browser, response


def saml_sign_in(base: str, person: dict[str, Any], browser: requests.Session | None = None):
    """Knutpunkt's link, the IdP's login form, and the signed response posted back."""
    browser = browser or requests.Session()
    page = browser.get(f"{base}/konto/sso/saml/logga-in/?next=/", timeout=20)
    assert "SAMLRequest" in page.text, page.text[:500]
    idp_base = page.url.split("/sso/")[0]
    answer = browser.post(
        f"{idp_base}/sso/login",
        data={
            **hidden_inputs(page.text),
            "username": person["username"],
            "password": person["password"],
        },
        timeout=20,
    )
    assert "SAMLResponse" in answer.text, answer.text[:500]
    response = browser.post(form_action(answer.text), data=hidden_inputs(answer.text), timeout=20)
    return browser, response
