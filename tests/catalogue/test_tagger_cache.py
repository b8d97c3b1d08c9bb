"""tag_text without Django's set-up: the same answers from the compiled catalogue on disk."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection

from catalogue import selectors, tagger_cache
from catalogue.models import Agency, Concordance, Law, Provision, Term

LINES = (
    '{"id": "a", "text": "FK och Af är oeniga enligt 27 kap. 48 § SFB.", "date": "2026-03-01"}\n'
    "\n"
    "not json\n"
    '{"id": "b", "text": "Ring 070-123 45 67 om 4 kap. 1 § SoL"}\n'
)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(tagger_cache, "CACHE_DIR", tmp_path / "tagger")
    return tmp_path / "tagger"


def test_the_audit_tables_are_the_catalogue_models_own() -> None:
    models = (Law, Agency, Term, Provision, Concordance)
    assert tuple(m.history.model._meta.db_table for m in models) == tagger_cache.HISTORY_TABLES


@pytest.mark.django_db
def test_the_bare_driver_reads_the_same_fingerprint_as_django(committed_catalogue) -> None:
    selectors.catalogue_changed()
    with connection.cursor() as cursor:
        assert tagger_cache.fingerprint_from(cursor) == selectors._catalogue_fingerprint()


@pytest.mark.django_db
def test_the_fast_path_answers_as_the_command_does(
    committed_catalogue, cache_dir, monkeypatch
) -> None:
    monkeypatch.setattr(selectors, "_catalogue_cache", {})  # as a process that compiled nothing
    slow = io.StringIO()
    call_command("tag_text", stdin=io.StringIO(LINES), stdout=slow)  # compiles and stores
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    fast = io.StringIO()
    with mock.patch.object(tagger_cache, "_connect", return_value=_Borrowed()):
        assert tagger_cache.tag_text_fast(**SETTINGS, stdin=io.StringIO(LINES), stdout=fast)
    assert fast.getvalue() == slow.getvalue()
    assert fast.getvalue().count("\n") == 3  # the empty line gives nothing, the bad one an error


@pytest.mark.django_db
def test_without_a_file_for_this_version_the_ordinary_path_runs(committed_catalogue) -> None:
    with mock.patch.object(tagger_cache, "_connect", return_value=_Borrowed()):
        out = io.StringIO()
        assert not tagger_cache.tag_text_fast(**SETTINGS, stdin=io.StringIO(LINES), stdout=out)
    assert out.getvalue() == ""


def test_a_broken_file_is_not_read(cache_dir) -> None:
    cache_dir.mkdir(parents=True)
    tagger_cache._path((1, 2, 3, 4, 5)).write_bytes(b"not a pickle")
    assert tagger_cache.load((1, 2, 3, 4, 5)) is None


SETTINGS = {"database": {"ENGINE": "django.db.backends.sqlite3"}, "time_zone": "Europe/Stockholm"}


class _Borrowed:
    """The test database's own connection, as the bare driver's would be (not closed)."""

    def cursor(self):  # noqa: ANN201
        return connection.cursor()

    def close(self) -> None:
        pass
