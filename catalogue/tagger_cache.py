"""The compiled tagger catalogue kept on disk by catalogue version, and `tag_text` without
Django's set-up (docs/contracts.md §2; issue 19: start-up ≤ 0.3 s).

`manage.py tag_text` is started per batch by other systems. Django's set-up imports every
installed app (1.3 s here); the tagger needs none of it, only the catalogue. Whenever a
process compiles the catalogue (`catalogue.selectors.tag_catalogue`) it also writes it here,
named by the catalogue's fingerprint (the last audit row of each catalogue table, so any edit
makes a new one). `tag_text` asks the database for that fingerprint with the bare driver and,
when the file for it exists, tags without Django; otherwise it takes the ordinary path, which
writes the file for the next run. No Django imports here.
"""

from __future__ import annotations

import hashlib
import json
import pickle  # noqa: S403 - only files this module wrote into the project's own var/
import sys
import tempfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from catalogue.jsonlines import tag_line
from catalogue.tagging import TagCatalogue

CACHE_DIR = Path(__file__).resolve().parents[1] / "var" / "cache" / "tagger"
# The audit tables of the catalogue's five models (a test holds them to the models').
HISTORY_TABLES = (
    "deviations_historicallaw",
    "deviations_historicalagency",
    "deviations_historicalterm",
    "deviations_historicalprovision",
    "catalogue_historicalconcordance",
)
FINGERPRINT_SQL = "SELECT " + ", ".join(  # noqa: S608 - the constant table names above
    f"(SELECT max(history_id) FROM {table})"  # noqa: S608
    for table in HISTORY_TABLES
)


def fingerprint_from(cursor: Any) -> tuple[object, ...]:
    """The catalogue's fingerprint from a DB-API cursor: the same numbers as
    catalogue.selectors._catalogue_fingerprint."""
    cursor.execute(FINGERPRINT_SQL)
    return tuple(cursor.fetchone())


KEEP = 4  # files kept: the newest few catalogue versions


def _code_version() -> str:
    """The tagger's own source: a file compiled by other code is not read."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in [*sorted((here / "tagging").glob("*.py")), here / "tagids.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


_CODE = _code_version()


def _path(fingerprint: tuple[object, ...]) -> Path:
    digest = hashlib.sha256(f"{_CODE}|{tuple(fingerprint)!r}".encode()).hexdigest()[:20]
    return CACHE_DIR / f"{digest}.pickle"


def _prune() -> None:
    files = sorted(CACHE_DIR.glob("*.pickle"), key=lambda path: path.stat().st_mtime)
    for old in files[:-KEEP]:
        old.unlink(missing_ok=True)


def store(fingerprint: tuple[object, ...], catalogue: TagCatalogue) -> None:
    """Keep the compiled catalogue for this fingerprint (written whole or not at all)."""
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        target = _path(fingerprint)
        if target.exists():
            return
        with tempfile.NamedTemporaryFile(dir=CACHE_DIR, delete=False, suffix=".tmp") as file:
            pickle.dump(catalogue, file, protocol=pickle.HIGHEST_PROTOCOL)
        Path(file.name).replace(target)
        _prune()
    except OSError:
        return  # a read-only installation simply starts the slow way


def load(fingerprint: tuple[object, ...]) -> TagCatalogue | None:
    try:
        with _path(fingerprint).open("rb") as file:
            catalogue = pickle.load(file)  # noqa: S301 - our own file, named by fingerprint
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return catalogue if isinstance(catalogue, TagCatalogue) else None


# Connection options libpq itself understands; others are Django's (the fast path steps aside).
LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcrl",
    "sslcompression",
    "connect_timeout",
    "application_name",
    "options",
    "target_session_attrs",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "gssencmode",
    "channel_binding",
}


def _connect(database: dict[str, Any]) -> Any:
    """A bare driver connection to Django's default database (settings.DATABASES)."""
    engine = database["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        import sqlite3

        if not Path(database["NAME"]).exists():
            return None
        return sqlite3.connect(database["NAME"], timeout=5)
    if engine == "django.db.backends.postgresql":
        import psycopg

        extra = database.get("OPTIONS") or {}
        if set(extra) - LIBPQ_OPTIONS:
            return None  # an option only Django knows what to do with: the ordinary path
        options = {
            "dbname": database.get("NAME"),
            "user": database.get("USER") or None,
            "password": database.get("PASSWORD") or None,
            "host": database.get("HOST") or None,
            "port": database.get("PORT") or None,
            "connect_timeout": 5,
            **extra,  # TLS (sslmode, sslrootcert, ...) exactly as the settings ask
        }
        return psycopg.connect(**{k: v for k, v in options.items() if v not in (None, "")})
    return None


def tag_lines(
    lines: Iterable[str],
    write: Callable[[str], None],
    *,
    catalogue: TagCatalogue,
    today: date,
) -> None:
    """One JSON line out per non-empty line in (docs/contracts.md §2)."""
    for line in lines:
        if line.strip():
            write(json.dumps(tag_line(line, catalogue=catalogue, today=today), ensure_ascii=False))


def tag_text_fast(
    *,
    database: dict[str, Any],
    time_zone: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> bool:
    """`manage.py tag_text` without Django, when the catalogue file for the database's
    fingerprint exists; False (nothing read or written) when the ordinary path must run.
    `database` and `time_zone` are the settings module's, read by manage.py."""
    try:
        connection = _connect(database)
        if connection is None:
            return False
        try:
            fingerprint = fingerprint_from(connection.cursor())
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - any doubt: the ordinary path decides and reports
        return False
    catalogue = load(fingerprint)
    if catalogue is None:
        return False
    today = datetime.now(ZoneInfo(time_zone)).date()
    tag_lines(stdin, lambda text: stdout.write(text + "\n"), catalogue=catalogue, today=today)
    stdout.flush()
    return True
