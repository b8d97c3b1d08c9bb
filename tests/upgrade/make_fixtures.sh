#!/bin/sh
# The previous release's data, as backups for tests/upgrade/test_upgrade.py to upgrade
# (docs/upgrades.md, "At each release"). The release's own code makes them: its migrations,
# catalogue and demo data, run from a git worktree with this checkout's virtualenv.
#
#   tests/upgrade/make_fixtures.sh [COMMIT [VERSION]]      default: 449ae0e 0.1.0
#
# writes, into tests/upgrade/fixtures/:
#   knutpunkt-VERSION.sqlite3.gz  sqlite3 ".backup" of the release's SQLite database, gzip -9n
#   knutpunkt-VERSION.pgdump      pg_dump -Fc --no-owner --no-privileges of the same set-up on
#                                 PostgreSQL 15 (a throw-away cluster from pg_virtualenv)
# The data is synthetic (seed_demo, fixed seed and end date); the demo users' passwords are
# the demo ones that create_demo_users prints. Nothing personal is in it.
# Needs: git, sqlite3, pg_virtualenv and PostgreSQL 15 (apt-get install postgresql-common
# postgresql-15). If the release needs other Python packages than this checkout's .venv has,
# point PY at a virtualenv made for it.
set -eu

DEVIATIONS=1000   # enough for two demo barriers; about 1 MB per file
SEED=2017
END=2025-06-30    # the last event date, fixed so a rebuild makes the same deviations

seed() {
	# The release's own `make setup` steps on the database in the environment.
	cd "$RELEASE_DIR"
	found=$("$PY" -c 'import deviations; print(deviations.__file__)')
	case "$found" in
	"$RELEASE_DIR"/*) ;;
	*) echo "The release's code is not what runs: deviations from $found" >&2; exit 1 ;;
	esac
	"$PY" manage.py migrate --no-input -v 0
	"$PY" manage.py load_catalogue
	"$PY" manage.py load_steering_groups
	"$PY" manage.py seed_demo --deviations "$DEVIATIONS" --seed "$SEED" --end "$END"
	"$PY" manage.py create_demo_users >/dev/null
	"$PY" manage.py seed_demo_barriers
}

if [ "${1:-}" = "--inside-pg-virtualenv" ]; then
	# Run again by pg_virtualenv below, which set PGHOST, PGPORT, PGUSER and PGPASSWORD.
	createdb knutpunkt
	export DATABASE_URL="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/knutpunkt"
	seed
	pg_dump -Fc --no-owner --no-privileges -f "$OUT_PG" "$DATABASE_URL"
	exit 0
fi

COMMIT=${1:-449ae0e}
VERSION=${2:-0.1.0}
HERE=$(cd "$(dirname "$0")" && pwd)
SCRIPT="$HERE/$(basename "$0")"
ROOT=$(git -C "$HERE" rev-parse --show-toplevel)
PY=${PY:-$ROOT/.venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/knutpunkt-fixtures-XXXXXX")
RELEASE_DIR="$WORK/release"
OUT_SQLITE="$HERE/fixtures/knutpunkt-$VERSION.sqlite3.gz"
OUT_PG="$HERE/fixtures/knutpunkt-$VERSION.pgdump"
export PY RELEASE_DIR OUT_PG DEVIATIONS SEED END
export DEBUG=1 TASK_BACKEND=immediate MEDIA_ROOT="$WORK/media"
unset DATABASE_URL SENTRY_DSN

cleanup() {
	git -C "$ROOT" worktree remove --force "$RELEASE_DIR" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

git -C "$ROOT" worktree add --detach "$RELEASE_DIR" "$COMMIT"
mkdir -p "$HERE/fixtures"

echo "== SQLite"
export SQLITE_PATH="$WORK/knutpunkt.sqlite3"
(seed)
sqlite3 "$SQLITE_PATH" ".backup '$WORK/backup.sqlite3'"
gzip -9n -c "$WORK/backup.sqlite3" >"$OUT_SQLITE"

echo "== PostgreSQL 15"
pg_virtualenv -t -v 15 "$SCRIPT" --inside-pg-virtualenv

ls -l "$OUT_SQLITE" "$OUT_PG"
