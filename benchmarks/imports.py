"""How much an import raises a worker's memory, whatever the file (issue 14).

Run: `.venv/bin/python benchmarks/imports.py [--only NAME ...]`.

The bar: a 50 MB CSV or a compressed-spreadsheet bomb may not raise a worker's peak memory
(RSS) by more than 100 MB. In a throw-away SQLite database under var/bench/ (or DATABASE_URL)
this process migrates, loads the catalogue and four units, and stores each file as an import
job's input, as an upload does. Each job is then run by a fresh worker process
(`--worker JOB_ID`), which first warms up as a long-running worker would be (Django loaded, a
small import run, so the tagger's compiled catalogue is there), resets its high-water mark
(/proc/self/clear_refs) and runs the job; it prints the rise of VmHWM over VmRSS before the job.

Files: a 50 MB CSV that imports (long descriptions), a 50 MB CSV in which every row is bad (the
report path), a normal 10,000-row import (time), an .xlsx bomb of about 300 kB that unpacks to
about 300 MB of sheet XML, the same bomb with its zip directory lying about the sizes, and a
workbook whose shared-string table is 19 MB of distinct tiny strings (packed 2.3 MB).
Exits 1 when the bar is missed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import struct
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
BAR_MB = 100
SHEET = "xl/worksheets/sheet1.xml"


def _django(database: Path | None, *, tasks: str = "immediate") -> None:
    if database is not None and not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(database)
    os.environ.setdefault("DEBUG", "1")
    # The worker queues follow-up work (the knot recomputation after an import) in the database,
    # as in production, instead of running it inside the import it is measuring.
    os.environ["TASK_BACKEND"] = tasks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
    import logging
    import warnings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    logging.disable(logging.WARNING)


def _status(field: str) -> int:
    """A /proc/self/status figure in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(field)


# --- Files ------------------------------------------------------------------------------------

UNITS = [("Team 0", ("0160", "0162")), ("Team 1", ("0136",)), ("Team 2", ("0180",))]


def _csv_rows(
    target: int, *, long: bool, bad: bool, rows: int | None = None, prefix: str = "bench"
) -> bytes:
    """Synthetic deviations (the demo generator) as CSV up to `target` bytes or `rows` rows."""
    from demo.generator import DemoUnit, generate_deviations

    units = [DemoUnit(name=name, municipalities=codes) for name, codes in UNITS]
    raw = io.BytesIO()
    buffer = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    writer = csv.writer(buffer)
    writer.writerow(["external_id", "occurred_on", "municipality", "unit", "description", "tags"])
    index = 0
    while raw.tell() < target:
        for item in generate_deviations(
            n=2000, seed=index, units=units, start=date(2021, 11, 1), end=date(2026, 10, 31)
        ):
            text = item.description
            if long:  # about 2,000 characters, as a careful caseworker writes
                text = " ".join([text] * max(1, 2000 // max(len(text), 1)))[:19_000]
            writer.writerow(
                [
                    f"{prefix}-{index}",
                    "igår" if bad else item.occurred_on,
                    "Atlantis" if bad else item.municipality,
                    item.unit,
                    text,
                    ";".join(item.tags) if index % 2 else "",
                ]
            )
            index += 1
            buffer.flush()
            if raw.tell() >= target or index == rows:
                break
        if index == rows:
            break
    buffer.flush()
    return raw.getvalue()


def _bomb(sheet_bytes: int) -> bytes:
    """An .xlsx whose one sheet is `sheet_bytes` of repeated rows, deflated to a few hundred kB."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["external_id", "occurred_on", "municipality", "description"])
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info, source.read(info.filename))
                continue
            with archive.open(SHEET, "w", force_zip64=False) as sheet:
                sheet.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b'<sheetData><row r="1">'
                    + b"".join(
                        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'.encode()
                        for col, name in zip(
                            "ABCD",
                            ("external_id", "occurred_on", "municipality", "description"),
                            strict=True,
                        )
                    )
                    + b"</row>"
                )
                row = (
                    b'<row><c t="inlineStr"><is><t>'
                    + b"x" * 4000
                    + b'</t></is></c><c t="inlineStr"><is><t>'
                    + b"y" * 4000
                    + b"</t></is></c></row>"
                )
                block = row * 128
                for _ in range(sheet_bytes // len(block)):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _tiny_strings(table_bytes: int) -> bytes:
    """An .xlsx whose shared-string table is `table_bytes` of distinct short strings (the
    costliest kind to hold: some 60 bytes of memory each)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["external_id", "occurred_on", "municipality", "description"])
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            archive.writestr(info, content)
        with archive.open("xl/sharedStrings.xml", "w") as table:
            table.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            written = number = 0
            while written < table_bytes:
                chunk = b"".join(b"<si><t>%d</t></si>" % n for n in range(number, number + 10_000))
                table.write(chunk)
                written, number = written + len(chunk), number + 10_000
            table.write(b"</sst>")
    return out.getvalue()


def _lying(xlsx: bytes, size: int) -> bytes:
    """The zip with its sheet declaring `size` unpacked bytes (directory and local header)."""
    data = bytearray(xlsx)
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + length]) == SHEET.encode():
            struct.pack_into("<I", data, at + 24, size)
            struct.pack_into("<I", data, struct.unpack_from("<I", data, at + 42)[0] + 22, size)
        at += 4
    return bytes(data)


# --- The worker ---------------------------------------------------------------------------------


def worker(job_id: int, warm_id: int) -> None:
    from django.conf import settings

    from jobs.models import Job
    from jobs.services import job_execute

    settings.DEBUG = False  # as in production: DEBUG keeps every query's SQL in memory

    job_execute(warm_id)  # what a worker has done before: Django, the tagger, openpyxl
    import openpyxl  # noqa: F401

    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status("VmRSS")
    started = time.perf_counter()
    job = job_execute(job_id)
    seconds = time.perf_counter() - started
    peak = _status("VmHWM")
    job = Job.objects.get(pk=job.pk)
    print(
        json.dumps(
            {
                "rise_mb": (peak - before) / 2**20,
                "before_mb": before / 2**20,
                "peak_mb": peak / 2**20,
                "seconds": seconds,
                "status": job.status,
                "rows": job.result.get("rows"),
                "created": job.result.get("created"),
                "problems": job.result.get("problems", len(job.result.get("errors", []))),
                "result_bytes": len(json.dumps(job.result)),
                "error": job.error[:120],
            }
        )
    )


# --- The runs ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", help="run only these files (names as printed)")
    args = parser.parse_args()
    if args.worker:
        _django(args.database, tasks="database")
        worker(args.worker, args.warm)
        return 0

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database = BENCH_DIR / "imports.sqlite3"
    database.unlink(missing_ok=True)
    _django(database)
    from django.core.management import call_command
    from django.db import connection

    from catalogue.models import Municipality
    from core.roles import roles_ensure
    from deviations.models import Deviation, Unit
    from jobs.models import Job, JobInput
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=io.StringIO())
    roles_ensure()
    for name, codes in UNITS:
        Unit.objects.create(name=name).municipalities.set(
            Municipality.objects.filter(code__in=codes)
        )
    analyst = UserFactory(username="bench-analyst", roles=["analyst"])
    small = _csv_rows(4_000, long=False, bad=False, prefix="warm")
    files = {
        "csv-50mb-imports": (_csv_rows(50 * 2**20 - 2**16, long=True, bad=False), "big.csv"),
        "csv-50mb-all-bad": (_csv_rows(50 * 2**20 - 2**16, long=False, bad=True), "bad.csv"),
        "csv-10k-rows": (None, "normal.csv"),
        "xlsx-bomb": (_bomb(300 * 2**20), "bomb.xlsx"),
        "xlsx-tiny-strings": (_tiny_strings(19 * 2**20), "strings.xlsx"),
        "xlsx-bomb-lying": (None, "lying.xlsx"),
    }
    files["xlsx-bomb-lying"] = (_lying(files["xlsx-bomb"][0], 900_000), "lying.xlsx")
    files["csv-10k-rows"] = (_csv_rows(2**30, long=False, bad=False, rows=10_000), "normal.csv")
    # Near what the check keeps for writing (deviations.imports.HOLD_BYTES): the most it holds.
    files["csv-20k-rows-held"] = (
        _csv_rows(2**30, long=False, bad=False, rows=20_000, prefix="held"),
        "held.csv",
    )
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {connection.vendor}"
    )
    print(
        f"{'file':<20}{'size':>10}{'rise MiB':>10}{'peak MiB':>10}{'seconds':>9}  "
        "status, rows, created, problems, result bytes"
    )
    failed = False
    for name, (content, filename) in files.items():
        if args.only and name not in args.only:
            continue
        Deviation.objects.all().delete()
        warm = Job.objects.create(kind="import", created_by=analyst, input_name="warm.csv")
        JobInput.objects.create(job=warm, content=small)
        job = Job.objects.create(kind="import", created_by=analyst, input_name=filename)
        JobInput.objects.create(job=job, content=content)  # as job_enqueue stores an upload
        connection.close()
        out = subprocess.run(  # noqa: S603 - this script, with ids it made
            [
                sys.executable,
                __file__,
                "--worker",
                str(job.pk),
                "--warm",
                str(warm.pk),
                "--database",
                str(database),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            print(f"{name}: worker failed\n{out.stderr[-2000:]}")
            failed = True
            continue
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        size = len(content) / 2**20
        print(
            f"{name:<20}{size:>8.2f}MB{figures['rise_mb']:>10.1f}{figures['peak_mb']:>10.1f}"
            f"{figures['seconds']:>9.1f}  {figures['status']}, {figures['rows']}, "
            f"{figures['created']}, {figures['problems']}, {figures['result_bytes']}"
            + (f" ({figures['error']})" if figures["status"] != "succeeded" else "")
        )
        if figures["rise_mb"] > BAR_MB and name != "csv-10k-rows":
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
