"""Personas for every role, and the reference catalogue loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from analytics import live
from analytics.results import served_forget
from catalogue import tagger_cache
from catalogue.loader import catalogue_load
from catalogue.models import Agency, Municipality
from catalogue.selectors import catalogue_changed
from core.roles import ADMIN, ANALYST, STAFF, STEERING, roles_ensure
from deviations.models import Unit, User
from tests.factories import UnitFactory, UserFactory

# CI explores the same generated examples every run (a red CI must mean a change broke
# something); on a developer's machine hypothesis keeps exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With KNUTPUNKT_FORBID_SKIPS set (CI's PostgreSQL stage), a skipped test fails the run:
    the server-only tests skip on SQLite and must really run there."""
    if not os.environ.get("KNUTPUNKT_FORBID_SKIPS") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        names = ", ".join(report.nodeid for report in skipped[:5])
        print(f"\nKNUTPUNKT_FORBID_SKIPS: {len(skipped)} skipped test(s): {names}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# Fixtures through which a test reaches the database; a test with none of them (and no
# django_db marker) is refused a connection by pytest-django, so it cannot depend on which one.
_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With KNUTPUNKT_DATABASE_TESTS_ONLY set (CI's PostgreSQL stage), only the tests that use
    the database run: the others (algorithms, tagger, parsers) ran in the SQLite stage, and
    pytest-django guarantees they never touched a database there or here."""
    if not os.environ.get("KNUTPUNKT_DATABASE_TESTS_ONLY"):
        return
    kept, dropped = [], []
    for item in items:
        uses = _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (kept if uses or item.get_closest_marker("django_db") else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """A bare `pytest` after editing the Swedish catalogue tests today's translations: the
    catalogue is compiled when its .mo is missing or older than the .po."""
    po = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["sv"], ignore=[".venv", "var"], verbosity=0)
        translation.trans_real._translations.clear()  # forget catalogues read before


# The catalogue's rows as the loader left them, table by table, taken once per session: a
# transactional test empties every table, and loading the catalogue again through the loader
# (700 rows, each with its history) cost 3 s per such test on PostgreSQL.
_catalogue_rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}


def _catalogue_tables() -> list[Any]:
    return list(apps.get_app_config("catalogue").get_models(include_auto_created=True))


def _catalogue_remember() -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in _catalogue_tables():
            columns = [f.column for f in model._meta.concrete_fields]
            listed = ", ".join(quote(c) for c in columns)
            cursor.execute(f"SELECT {listed} FROM {quote(model._meta.db_table)}")  # noqa: S608 - names from the models
            _catalogue_rows[model._meta.db_table] = (columns, cursor.fetchall())


def catalogue_restore() -> None:
    """The catalogue back in emptied tables: the loader's own rows, ids and history, copied
    back as they were (the loader itself is what `django_db_setup` and the catalogue's own
    tests run)."""
    if not _catalogue_rows:
        catalogue_load()
        return
    quote = connection.ops.quote_name
    models = _catalogue_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            columns, rows = _catalogue_rows[model._meta.db_table]
            if rows:
                listed = ", ".join(quote(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {quote(model._meta.db_table)} ({listed}) VALUES ({marks})",  # noqa: S608 - names from the models
                    rows,
                )
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    catalogue_changed()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The same loader `make run` uses fills the test database once (R15)."""
    with django_db_blocker.unblock():
        catalogue_load()
        roles_ensure()
        _catalogue_remember()


@pytest.fixture
def committed_catalogue(transactional_db: None) -> None:
    """For tests whose requests commit, as in production (live server, flush, and PostgreSQL,
    which aborts a whole test transaction after one refused statement). Transactional tests
    empty the tables afterwards, so the catalogue is loaded again when it is gone."""
    if not Agency.objects.exists():
        catalogue_restore()
    roles_ensure()


@pytest.fixture(scope="session", autouse=True)
def _tagger_cache_aside(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled catalogues of the tests' databases go to a folder of the session's own."""
    tagger_cache.CACHE_DIR = tmp_path_factory.mktemp("tagger")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Personas get a password; hashing it the production way costs ~0.5 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Attached files go to a folder of the test's own, never to var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fresh_caches(request: pytest.FixtureRequest) -> None:
    """Each test starts with empty caches: rolled-back rows reuse version numbers and ids.
    The shared cache is a database table, so only tests with database access clear it."""
    caches["local"].clear()
    caches["counts"].clear()
    catalogue_changed()
    live.forget()  # the kept knot counts belong to the last test's database
    served_forget()  # and so do the figures this process holds
    if "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    cache.clear()


def _catalogue_present() -> None:
    """A transactional test empties the tables after it; a unit fixture that runs before
    `committed_catalogue` in the next one would otherwise find no municipality."""
    if not Municipality.objects.exists():
        catalogue_restore()


@pytest.fixture
def taby_unit(db: None) -> Unit:
    _catalogue_present()
    return UnitFactory(
        name="MIA Täby",
        municipalities=[
            Municipality.objects.get(code="0160"),
            Municipality.objects.get(code="0162"),
        ],
    )


@pytest.fixture
def haninge_unit(db: None) -> Unit:
    _catalogue_present()
    return UnitFactory(name="MIA Haninge", municipalities=[Municipality.objects.get(code="0136")])


@pytest.fixture
def staff(taby_unit: Unit) -> User:
    return UserFactory(username="staff", roles=[STAFF], units=[taby_unit])


@pytest.fixture
def other_unit_staff(haninge_unit: Unit) -> User:
    return UserFactory(username="other", roles=[STAFF], units=[haninge_unit])


@pytest.fixture
def analyst(db: None) -> User:
    return UserFactory(username="analyst", roles=[ANALYST])


@pytest.fixture
def steering_member(db: None) -> User:
    return UserFactory(username="steering", roles=[STEERING])


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(username="admin", roles=[ADMIN], is_staff=True)


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory(username="outsider")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff: User) -> Client:
    return _logged_in(staff)


@pytest.fixture
def analyst_client(analyst: User) -> Client:
    return _logged_in(analyst)


@pytest.fixture
def api(staff: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def analyst_api(analyst: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(analyst)
    return client
