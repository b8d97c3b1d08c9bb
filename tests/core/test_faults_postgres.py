"""Faults against a real PostgreSQL server: the app under gunicorn loses its database in the
middle of a user's work, and gets it back.

`test_faults.py` checks the page and the draft with an injected error on any database; this
module lets the real network connection break (a TCP gate between gunicorn and PostgreSQL is
shut and opened again), so psycopg's own errors, Django's connection handling and the
middleware order are what is tested. It needs a database server, so it runs in the PostgreSQL
stage of CI (`.ci/run`, which fails if anything is skipped there).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection

from catalogue.models import Municipality
from core.roles import STAFF
from deploy.stack import free_port, wait_healthy
from deviations.models import Deviation, Draft, User
from tests.factories import UnitFactory, UserFactory
from tests.tcp_gate import TcpGate

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "ett-långt-testlösenord-för-fel"  # noqa: S105 - a synthetic test account
TEXT = (
    "Försäkringskassan drog in sjukpenningen vid dag 180 och Arbetsförmedlingen kräver "
    "inskrivning innan insatsen kan börja."
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs a database server to take away; runs in CI's PostgreSQL stage",
)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def gate(committed_catalogue: None) -> Iterator[TcpGate]:
    settings = connection.settings_dict
    gate = TcpGate(settings["HOST"] or "localhost", int(settings["PORT"] or 5432))
    yield gate
    gate.close()


@pytest.fixture
def app(gate: TcpGate) -> Iterator[str]:
    """gunicorn, DEBUG off, talking to the test database only through the gate."""
    settings = connection.settings_dict
    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=(
            f"postgres://{settings['USER']}:{settings['PASSWORD']}@127.0.0.1:{gate.port}"
            f"/{settings['NAME']}"
        ),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="CRITICAL",
        PYTHONWARNINGS="ignore:No directory at:UserWarning",
    )
    command = [sys.executable, "-m", "gunicorn", "knutpunkt.wsgi:application"]
    command += [f"--bind=127.0.0.1:{port}", "--workers=1", "--threads=2", "--timeout=30"]
    command += ["--log-level=critical"]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our fixed command
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/healthz", [server], seconds=60)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def reporter(committed_catalogue: None, settings: Any) -> User:
    # gunicorn checks the password with the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    unit = UnitFactory(name="MIA Täby", municipalities=[Municipality.objects.get(code="0160")])
    user = UserFactory(username="fault-staff", roles=[STAFF], units=[unit])
    user.set_password(PASSWORD)
    user.save()
    return user


def _logged_in(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/konto/logga-in/", timeout=10)
    response = session.post(
        f"{base}/konto/logga-in/",
        data={
            "username": "fault-staff",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(page.text),
        },
        headers={"Referer": f"{base}/konto/logga-in/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def test_database_lost_mid_filing_then_back(app: str, gate: TcpGate, reporter: User) -> None:
    session = _logged_in(app)
    form_url = f"{app}/avvikelser/ny/"
    token = _csrf(session.get(form_url, timeout=10).text)
    headers = {"Referer": form_url, "X-CSRFToken": token}
    unit = reporter.units.get()
    fields = {
        "description": TEXT,
        "occurred_on": "2026-03-02",
        "unit": str(unit.pk),
        "municipality": str(unit.municipalities.get().pk),
        "category": "work_capacity",
        "csrfmiddlewaretoken": token,
    }
    # While the user types, the form saves a draft.
    saved = session.post(
        f"{app}/avvikelser/utkast/spara/",
        data=fields,
        headers={**headers, "Accept": "application/json"},
        timeout=10,
    )
    assert saved.status_code == 200, saved.text[:500]
    draft_key = saved.json()["draft"]
    draft_url = app + saved.json()["url"]  # the page's form now posts here, as filing.js does

    gate.shut()  # PostgreSQL goes away with the worker's connection open

    autosave = session.post(
        f"{app}/avvikelser/utkast/spara/",
        data={**fields, "draft": draft_key},
        headers={**headers, "Accept": "application/json"},
        timeout=30,
    )
    assert autosave.status_code == 503
    assert autosave.json()["code"] == "database_unavailable"

    submit = session.post(
        draft_url,
        data={**fields, "draft": draft_key, "action": "submit"},
        headers=headers,
        timeout=30,
        allow_redirects=False,
    )
    assert submit.status_code == 503, submit.text[:500]
    assert submit.headers["Retry-After"] == "60"
    assert TEXT in submit.text  # what the user typed is on the page
    assert "databas" in submit.text.lower()  # and the page says why, in Swedish

    api = session.get(f"{app}/api/v1/deviations/?mine=true", timeout=30)
    assert api.status_code == 503
    assert api.json()["code"] == "database_unavailable"

    gate.open()  # the database is back; nobody restarts the app

    home = session.get(f"{app}/", timeout=30)
    assert home.status_code == 200
    assert draft_key in home.text  # the draft saved before the outage is offered
    assert Draft.objects.filter(key=draft_key, data__description=TEXT).exists()
    assert not Deviation.objects.exists()

    again = session.post(
        draft_url,
        data={**fields, "draft": draft_key, "action": "submit"},
        headers=headers,
        timeout=30,
        allow_redirects=False,
    )
    assert again.status_code == 302, again.text[:500]
    assert "/kvitto/" in again.headers["Location"]
    assert Deviation.objects.filter(description=TEXT).count() == 1
    assert not Draft.objects.filter(key=draft_key).exists()
