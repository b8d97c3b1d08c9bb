"""`make serve-prod`: the production set-up on loopback, to try it (README, "Drift").

nginx on http://127.0.0.1:8080 in front of two gunicorn instances, one task worker
(`manage.py worker`: django-tasks-db's `db_worker` with a heartbeat), PostgreSQL, DEBUG off,
settings from the environment only.
Uses DATABASE_URL when set; otherwise a throw-away PostgreSQL cluster from Debian's
pg_virtualenv, removed again when you stop with Ctrl-C. Each start migrates, collects the
static files and loads the catalogue and roles; in the throw-away cluster (or with --demo) it
also loads the demo data and prints the demo users' passwords.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.stack import Stack, StackError, database_in_cluster, nginx_binary  # noqa: E402

INSIDE_MARKER = "KNUTPUNKT_SERVE_PROD_IN_PG_VIRTUALENV"


def _secret_key() -> str:
    """Kept in var/ so that sessions survive a restart; never in the repository."""
    path = ROOT / "var" / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def production_env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    origins = f"http://127.0.0.1:{port},http://localhost:{port}"
    env.update(
        DEBUG="0",
        TASK_BACKEND="database",
        STATIC_MANIFEST="1",
        PROXY_COUNT="1",  # nginx in front: count the client's address, not nginx's
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("SECRET_KEY", _secret_key())
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")  # links in e-mails
    env.setdefault("CSRF_TRUSTED_ORIGINS", origins)
    env.setdefault("STATIC_ROOT", str(ROOT / "var" / "static"))
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def manage(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    print(f"$ manage.py {' '.join(args)}", flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603 - fixed commands


def prepare(env: dict[str, str], *, demo: bool) -> None:
    """What an upgrade runs too: migrations, static files, reference data (all idempotent)."""
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    manage(env, "load_catalogue")
    manage(env, "load_steering_groups")
    if demo:
        manage(env, "seed_demo", "--deviations", "3000", "--seed", "2017")
        manage(env, "create_demo_users")
        manage(env, "seed_demo_barriers")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--instances", type=int, default=2, help="gunicorn app instances")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="demo data and demo users (default: only in the throw-away cluster, never in a "
        "DATABASE_URL you gave)",
    )
    args = parser.parse_args()
    try:
        nginx_binary()  # fail early with the apt-get line
    except StackError as error:
        raise SystemExit(str(error)) from None
    if not os.environ.get("DATABASE_URL") and not os.environ.get(INSIDE_MARKER):
        if shutil.which("pg_virtualenv") is None:
            raise SystemExit("PostgreSQL: set DATABASE_URL or install postgresql-common.")
        print("No DATABASE_URL: starting a throw-away PostgreSQL (pg_virtualenv).", flush=True)
        command = ["pg_virtualenv", "-t", sys.executable, __file__, *sys.argv[1:]]
        env = {**os.environ, INSIDE_MARKER: "1"}
        # Ctrl-C reaches pg_virtualenv and the inner run through the terminal; this process
        # only waits, so that pg_virtualenv can stop the stack and drop its cluster (a Python
        # handler, unlike SIG_IGN, is not inherited by the child).
        signal.signal(signal.SIGINT, lambda *_args: None)
        signal.signal(signal.SIGTERM, lambda *_args: None)
        return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode  # noqa: S603
    throwaway = not os.environ.get("DATABASE_URL")
    if throwaway:
        os.environ["DATABASE_URL"] = database_in_cluster("knutpunkt")
    env = production_env(args.port)
    prepare(env, demo=throwaway if args.demo is None else args.demo)
    stack = Stack(
        env=env,
        instances=args.instances,
        workers=args.workers,
        task_workers=args.task_workers,
        port=args.port,
    )
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        try:
            url = stack.start()
        except StackError as error:
            print(f"The stack did not start: {error}", file=sys.stderr, flush=True)
            return 1
        print(
            f"\nKnutpunkt (production set-up) on {url}\n"
            f"  nginx → {len(stack.app_ports)} gunicorn instances on ports "
            f"{', '.join(map(str, stack.app_ports))} ({args.workers} workers each), "
            f"{args.task_workers} task worker(s), PostgreSQL.\n  Ctrl-C stops everything.",
            flush=True,
        )
        while not stopping:
            for process in stack.processes:
                if process.poll() is not None:
                    print(f"{process.args[:4]} stopped with {process.returncode}", flush=True)
                    return 1
            time.sleep(0.5)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
