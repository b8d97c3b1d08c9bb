"""Through nginx, as deployed (deploy/stack.py, PROXY_COUNT=1): the login lock-out counts the
address nginx reports for the client, so five wrong passwords lock the account for that client
only, and nothing a client writes into X-Forwarded-For moves the count to someone else.

Two clients on one machine: the test connects from 127.0.0.2 (the attacker) and 127.0.0.3
(a colleague); nginx sees them as two addresses, as it would two workplaces.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.serve_prod import production_env
from deploy.stack import Stack, StackError, nginx_binary

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple"
ATTACKER, COLLEAGUE = "127.0.0.2", "127.0.0.3"
FORGED = [COLLEAGUE, f"{COLLEAGUE}, {COLLEAGUE}", '198.51.100.1, "', "nonsense", None]


def _token(port: int, source: str, password: str, forwarded_for: str | None = None) -> tuple:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    body = json.dumps({"username": "kim", "password": password})
    connection.request("POST", "/api/v1/auth/token/", body=body, headers=headers)
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, answer


def _units(port: int, source: str, token: str) -> int:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    connection.request("GET", "/api/v1/units/", headers={"Authorization": f"Token {token}"})
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_lockout_counts_the_address_nginx_reports(tmp_path: Path) -> None:
    try:
        nginx_binary()
    except StackError as missing:
        pytest.fail(str(missing))
    database = tmp_path / "knutpunkt.sqlite3"
    (tmp_path / "static").mkdir()
    env = production_env(0)
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="x" * 60 + "-proxy-lockout-test",
        STATIC_MANIFEST="0",  # no collectstatic needed for the API
        STATIC_ROOT=str(tmp_path / "static"),
        AXES_FAILURE_LIMIT="5",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    assert env["PROXY_COUNT"] == "1"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["createsuperuser", "--no-input", "--username", "kim", "--email", "kim@example.org"],
    ):
        done = subprocess.run(  # noqa: S603 - our manage.py
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    stack = Stack(env=env, instances=1, workers=1, task_workers=0, run=tmp_path / "run")
    try:
        stack.start()
        port = stack.port
        for forged in FORGED:  # five wrong passwords, each claiming to come from elsewhere
            status, answer = _token(port, ATTACKER, "fel-losenord", forged)
            assert status == 400, answer
            assert "token" not in answer
        status, answer = _token(port, ATTACKER, PASSWORD)
        assert status == 400  # locked out, even with the password
        assert "token" not in answer
        status, answer = _token(port, COLLEAGUE, PASSWORD)
        assert status == 200, answer  # the colleague is not locked out
        assert _units(port, COLLEAGUE, answer["token"]) == 200
    finally:
        stack.stop()
    with sqlite3.connect(database) as db:
        counted = db.execute("SELECT ip_address, failures_since_start FROM axes_accessattempt")
        # The five wrong passwords and the locked-out try, all on the attacker's address.
        assert counted.fetchall() == [(ATTACKER, 6)]
