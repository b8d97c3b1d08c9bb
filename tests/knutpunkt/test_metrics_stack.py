"""Under load as deployed (deploy/stack.py: nginx, two gunicorn instances of two worker
processes each, a task worker): every request the clients made is in the instances' /metrics,
summed over the worker processes, with its latency; through nginx the metrics need the token;
the task worker serves the jobs it ran."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.common import request_figures
from deploy.serve_prod import production_env
from deploy.stack import Stack, StackError, nginx_binary

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-the-stack-test"
CLIENTS, EACH = 6, 20


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def _manage(env: dict[str, str], *command: str) -> None:
    done = subprocess.run(  # noqa: S603 - our manage.py
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_load_run_shows_in_the_metrics(tmp_path: Path) -> None:
    try:
        nginx_binary()
    except StackError as missing:
        pytest.fail(str(missing))
    (tmp_path / "static").mkdir()
    env = production_env(0)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'knutpunkt.sqlite3'}",
        SECRET_KEY="x" * 60 + "-metrics-stack-test",
        STATIC_MANIFEST="0",
        STATIC_ROOT=str(tmp_path / "static"),
        METRICS_TOKEN=TOKEN,
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    _manage(env, "migrate", "--no-input", "-v", "0")
    stack = Stack(env=env, instances=2, workers=2, task_workers=1, run=tmp_path / "run")
    try:
        stack.start()
        before = stack.metrics()
        started = time.monotonic()
        statuses: list[int] = []
        lock = threading.Lock()

        def client() -> None:
            for _ in range(EACH):
                status = _get(stack.port, "/healthz")
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        after = stack.metrics()
        # Through nginx a scrape is a forwarded request: the token opens it, nothing else does.
        assert _get(stack.port, "/metrics") == 403
        assert _get(stack.port, "/metrics", {"Authorization": f"Bearer {TOKEN}"}) == 200
        # The task worker serves the counts of the jobs it ran.
        _manage(
            env,
            "shell",
            "-c",
            "from jobs.services import job_enqueue; job_enqueue(kind='knots', params={})",
        )
        worker = f"http://127.0.0.1:{stack.worker_metrics_ports[0]}/metrics"
        deadline, text = time.monotonic() + 60, ""
        while time.monotonic() < deadline:
            with urllib.request.urlopen(worker, timeout=10) as response:  # noqa: S310 - loopback
                text = response.read().decode()
            if 'knutpunkt_jobs_finished_total{kind="knots",outcome="succeeded"} 1.0' in text:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the worker's metrics never showed the job:\n{text[-2000:]}")
    finally:
        stack.stop()
    assert statuses == [200] * (CLIENTS * EACH)
    rows = {
        row["view"]: row
        for row in request_figures(before, after, seconds)
        if row["method"] == "GET"
    }
    # Every request, though spread over 2 instances x 2 processes and summed from their files.
    assert rows["healthz"]["requests"] == CLIENTS * EACH
    assert rows["healthz"]["per_second"] > 0
    assert 0 < rows["healthz"]["p95_ms"] < 30_000
    served = {
        dict(labels).get("view")
        for (name, labels), count in after.items()
        if name == "knutpunkt_http_requests_total" and count
    }
    assert "healthz" in served
