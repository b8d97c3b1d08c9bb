"""Single sign-on is configured from the environment alone: a fresh process with the variables
docs/sso.md lists starts clean, with the provider's sign-out allowed as a form target."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IDP = "https://idp.region.example"


def _fresh(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text("<EntityDescriptor/>")
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    configured = {
        "SECRET_KEY": "x7!" * 20 + "sso-environment-test",
        "SECURE": "1",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "SSO_RULES_FILE": str(ROOT / "deploy" / "sso-rules.example.json"),
        "OIDC_RP_CLIENT_ID": "knutpunkt",
        "OIDC_RP_CLIENT_SECRET": "s3cret",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{IDP}/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": f"{IDP}/token",
        "OIDC_OP_USER_ENDPOINT": f"{IDP}/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": f"{IDP}/jwks",
        "OIDC_OP_LOGOUT_ENDPOINT": f"{IDP}/logout",
        "SAML_IDP_METADATA_FILE": str(metadata),
        **env,
    }
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, *args],
        env={**clean, **configured},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_configured_from_the_environment_starts_clean(tmp_path: Path) -> None:
    result = _fresh(["manage.py", "check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "sso." not in result.stderr + result.stdout

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from deviations.sso.oidc import oidc_enabled; from deviations.sso.saml import "
        "saml_enabled; print(oidc_enabled(), saml_enabled(), *s.SECURE_CSP['form-action'])"
    )
    shown = _fresh(["-c", code], tmp_path, DJANGO_SETTINGS_MODULE="knutpunkt.settings")
    assert shown.stdout.split() == ["True", "True", "'self'", IDP], shown.stderr


def test_half_a_configuration_stops_the_start(tmp_path: Path) -> None:
    result = _fresh(["manage.py", "check"], tmp_path, OIDC_OP_TOKEN_ENDPOINT="")
    assert result.returncode != 0
    assert "sso.E001" in result.stderr
