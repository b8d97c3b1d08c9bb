"""The production set-up: nginx accepts the generated configuration, and the settings the
stack gives every process pass Django's deployment checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.serve_prod import production_env
from deploy.stack import StackError, nginx_binary, nginx_config

ROOT = Path(__file__).resolve().parents[2]


def test_nginx_accepts_the_generated_configuration(tmp_path: Path) -> None:
    try:
        nginx = nginx_binary()
    except StackError as missing:
        pytest.fail(str(missing))
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        nginx_config(port=18080, upstreams=[18001, 18002], static=tmp_path, run=tmp_path)
    )
    text = conf.read_text()
    assert "server 127.0.0.1:18001" in text
    assert "server 127.0.0.1:18002" in text
    checked = subprocess.run(  # noqa: S603 - nginx with our generated file
        [nginx, "-t", "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_production_environment_passes_check_deploy(tmp_path: Path) -> None:
    env = production_env(8080)
    env.update(
        SECURE="1",  # behind TLS, as the README's "Drift" says
        SECRET_KEY="x" * 60 + "-production-like-key-for-the-check",
        DATABASE_URL=f"sqlite:///{tmp_path}/check.sqlite3",
    )
    assert env["TASK_BACKEND"] == "database"
    assert env["DEBUG"] == "0"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for Playwright
    done = subprocess.run(  # noqa: S603 - our manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_example_site_configuration_is_valid(tmp_path: Path) -> None:
    """deploy/nginx.conf.example, with a throw-away certificate in place of the real one."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is missing: apt-get install openssl")
    made = subprocess.run(  # noqa: S603 - openssl with fixed arguments
        [openssl, "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-subj", "/CN=test",
         "-days", "1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    site = (ROOT / "deploy" / "nginx.conf.example").read_text()
    site = site.replace("/etc/ssl/certs/knutpunkt.pem", str(cert))
    site = site.replace("/etc/ssl/private/knutpunkt.key", str(key))
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    checked = subprocess.run(  # noqa: S603 - nginx with our file
        [nginx_binary(), "-t", "-c", str(main)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
