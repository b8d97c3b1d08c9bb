import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from knutpunkt.settings import env_bool, env_list

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("False", False), ("0", False), ("", True)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("KP_FLAG", raw)
    assert env_bool("KP_FLAG", True) is expected


def test_env_bool_refuses_nonsense(monkeypatch) -> None:
    monkeypatch.setenv("KP_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="KP_FLAG"):
        env_bool("KP_FLAG", False)


def test_env_list_splits_and_trims(monkeypatch) -> None:
    monkeypatch.setenv("KP_HOSTS", " a.se, b.se ,,")
    assert env_list("KP_HOSTS", []) == ["a.se", "b.se"]


def _settings_in_fresh_process(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    code = "import knutpunkt.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)"
    return subprocess.run(  # noqa: S603 - fixed interpreter and code, no outside input
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_debug_is_off_unless_asked_for() -> None:
    result = _settings_in_fresh_process(SECRET_KEY="x" * 50)
    assert result.stdout.split() == ["False", "False"]
    assert _settings_in_fresh_process(DEBUG="1").stdout.split()[0] == "True"


def test_production_without_secret_key_refuses_to_start() -> None:
    result = _settings_in_fresh_process()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_secure_switches_on_secure_cookies() -> None:
    result = _settings_in_fresh_process(SECRET_KEY="x" * 50, SECURE="1")
    assert result.stdout.split() == ["False", "True"]


def test_check_deploy_is_clean_with_production_settings() -> None:
    """`manage.py check --deploy` with the environment the README's production section gives."""
    unwanted = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the browser tests set it
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    env = {
        **clean,
        "SECRET_KEY": "x7!" * 20 + "production-like-secret-for-the-check",
        "SECURE": "1",
        "ALLOWED_HOSTS": "knutpunkt.example.se",
        "SITE_URL": "https://knutpunkt.example.se",
    }
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    without = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={k: v for k, v in env.items() if k != "SITE_URL"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert without.returncode != 0
    assert "core.W020" in without.stdout + without.stderr
