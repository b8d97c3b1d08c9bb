"""Retention removes old free text everywhere and keeps what the statistics need."""

from datetime import date, timedelta

from django.core.management import call_command

from analytics.extract import AnalysisFilter, deviation_table
from deviations.models import Deviation, Draft, Unit, User
from deviations.retention import retention_apply
from deviations.services import DeviationInput, TagInput, deviation_file


def _file(staff: User, unit: Unit, occurred_on: date, text: str) -> Deviation:
    return deviation_file(
        by=staff,
        data=DeviationInput(
            occurred_on=occurred_on,
            unit=unit,
            municipality=unit.municipalities.first(),
            description=text,
            tags=(TagInput("agency:FK"), TagInput("prov:2010:110#K27P48")),
        ),
    )


def test_old_descriptions_go_also_from_the_history_and_the_facts_stay(
    staff: User, taby_unit: Unit
) -> None:
    today = date(2026, 6, 1)
    old = _file(staff, taby_unit, today - timedelta(days=400), "Gammal berättelse om FK")
    new = _file(staff, taby_unit, today - timedelta(days=10), "Ny berättelse om FK")
    old.description = "Gammal berättelse om FK, ändrad"
    old.save()
    before = deviation_table(AnalysisFilter())
    report = retention_apply(today=today, days=365)
    assert (report.deviations, report.history_rows) == (1, 2)
    old.refresh_from_db()
    new.refresh_from_db()
    assert "Gammal" not in old.description
    assert not any("Gammal" in h.description for h in old.history.all())
    assert new.description == "Ny berättelse om FK"
    after = deviation_table(AnalysisFilter())
    assert (after.indices == before.indices).all()
    assert old.confirmed_tags == "agency:FK;law:2010:110;prov:2010:110#K27P48"
    assert retention_apply(today=today, days=365).deviations == 0  # a rerun changes nothing


def test_old_drafts_are_deleted_by_the_command(staff: User, capsys) -> None:
    draft = Draft.objects.create(owner=staff, data={"description": "glömt"})
    Draft.objects.filter(pk=draft.pk).update(updated_at=draft.updated_at - timedelta(days=120))
    call_command("apply_retention", "--days", "365")
    assert not Draft.objects.exists()
    assert "1 old drafts deleted" in capsys.readouterr().out


def test_files_on_old_jobs_are_removed_and_recent_ones_kept(analyst: User) -> None:
    from django.utils import timezone

    from jobs.models import Job, JobInput

    long_ago = timezone.now() - timedelta(days=31)
    old = Job.objects.create(
        kind="dossier", status="succeeded", finished_at=long_ago,
        output=b"%PDF old", output_name="beslutsunderlag-1.pdf",
    )  # fmt: skip
    stuck = Job.objects.create(kind="import", status="failed", finished_at=long_ago)
    JobInput.objects.create(job=stuck, content=b"external_id,...")
    recent = Job.objects.create(
        kind="dossier", status="succeeded", finished_at=timezone.now(), output=b"%PDF"
    )
    assert retention_apply().job_files == 2
    knots_yesterday = Job.objects.create(
        kind="knots", status="succeeded", finished_at=timezone.now() - timedelta(days=2)
    )
    old_log = Job.objects.create(
        kind="retag", status="failed", finished_at=timezone.now() - timedelta(days=91)
    )
    assert retention_apply().jobs == 2
    assert not Job.objects.filter(pk__in=[knots_yesterday.pk, old_log.pk]).exists()
    for job in (old, stuck):
        job.refresh_from_db()
        assert (job.output, job.output_name) == (None, "")
    assert not JobInput.objects.exists()
    recent.refresh_from_db()
    assert bytes(recent.output) == b"%PDF"
