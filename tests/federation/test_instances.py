"""Three Knutpunkt instances and a national one, each a process with its own database, on this
machine (deploy/federation_local.py --check): the national instance fetches the sites' signed,
masked answers over HTTP, its knots equal one analysis of all their deviations pooled (a knot
local to one site and one frequent only in the union included), no published knot rests on
fewer than 5, and the national barrier's decision by NNS reaches every contributing site."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.instances

PROMISES = (
    "national knots equal the pooled analysis",
    "deviations counted nationally equal the sites' together",
    "the knot local to one site is found",
    "the knot frequent only in the union is found",
    "no published knot rests on fewer than 5",
    "every site holds the national decision",
)


def test_three_instances_and_a_national_one_agree_with_the_pooled_analysis(
    tmp_path: Path,
) -> None:
    done = subprocess.run(  # noqa: S603 - our own script
        [
            sys.executable,
            str(ROOT / "deploy" / "federation_local.py"),
            "--check",
            "--deviations",
            "300",
            "--work",
            str(tmp_path / "federation"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said[-4000:]
    for promise in PROMISES:
        assert f"ok   {promise}" in said, said[-4000:]
    assert "FAIL" not in said
