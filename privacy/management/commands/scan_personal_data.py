"""`python manage.py scan_personal_data [--redact] [--table T] [--names] [--json]`.

Run once when upgrading a site that stored text before the personal-data gate: one line per
finding (table, column, row id, kind, never the value), a summary, and exit status 1 while
findings remain, so a script can tell a clean database from one that is not.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from privacy.gate import PII_LABELS
from privacy.scan import UNREADABLE, Finding, Report, scan


def kind_label(kind: str) -> str:
    """The kind as the operator reads it (English, like the other commands' output)."""
    with translation.override("en"):
        return "could not be read" if kind == UNREADABLE else str(PII_LABELS[kind])


def _counts(findings: list[Finding]) -> str:
    counts = Report.by_kind(findings)
    return ", ".join(f"{kind_label(k)}: {n}" for k, n in sorted(counts.items())) or "none"


def _done(finding: Finding, report: Report) -> str:
    """What --redact did with a finding."""
    if finding.table in report.failed:
        return "left: the table was rolled back"
    return "file dropped" if finding.file else "masked"


class Command(BaseCommand):
    help = (
        "Find personal data stored before the gate in every table, history table and stored "
        "file; report table, column and row id, never the value. --redact masks it in place "
        "(stored files are dropped). Exit status 1 while findings remain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--redact", action="store_true", help="mask the findings in place")
        parser.add_argument(
            "--table", action="append", default=[], help="only this table or app.Model (repeat)"
        )
        parser.add_argument(
            "--names", action="store_true", help="also list possible names (warnings only)"
        )
        parser.add_argument("--json", action="store_true", help="one JSON document on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = scan(tables=options["table"], redact=options["redact"], names=options["names"])
        except ValueError as error:
            raise CommandError(f"Unknown table, or none to scan: {error}") from error
        if options["json"]:
            self._json(report)
        else:
            self._lines(report, redact=options["redact"])
        if report.remaining:
            raise CommandError(
                f"{len(report.remaining)} findings remain"
                + ("" if options["redact"] else "; run again with --redact to remove them"),
                returncode=1,
            )

    def _lines(self, report: Report, *, redact: bool) -> None:
        for f in report.findings:
            done = f"\t{_done(f, report)}" if redact else ""
            self.stdout.write(
                f"{f.table}\t{f.column}\trow {f.row}\t{kind_label(f.kind)}\t×{f.count}{done}"
            )
        for f in report.warnings:
            self.stdout.write(
                f"{f.table}\t{f.column}\trow {f.row}\twarning: {kind_label(f.kind)}\t×{f.count}"
            )
        self.stdout.write(
            f"Scanned {report.tables} tables, {report.rows} rows: {len(report.findings)} "
            f"cells with personal data ({_counts(report.findings)})."
        )
        if report.warnings:
            self.stdout.write(f"Warnings: {_counts(report.warnings)} (not removed by --redact).")
        if redact:
            self.stdout.write(
                f"Redacted {report.redacted} cells; dropped {report.dropped} stored files; "
                f"{len(report.remaining)} findings remain."
            )
        for table, error in report.failed.items():
            self.stderr.write(f"{table}: redaction failed and was rolled back ({error}).")

    def _json(self, report: Report) -> None:
        document = {
            "findings": [asdict(f) for f in report.findings],
            "warnings": [asdict(f) for f in report.warnings],
            "remaining": [asdict(f) for f in report.remaining],
            "summary": {
                "tables": report.tables,
                "rows": report.rows,
                "by_kind": dict(sorted(Report.by_kind(report.findings).items())),
                "redacted": report.redacted,
                "dropped": report.dropped,
                "failed": report.failed,
            },
        }
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
