"""Backup and restore: a dump restored into an emptied database gives the same data."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from barriers.catalogue import steering_groups_load
from barriers.models import Barrier
from barriers.services import barrier_create, barrier_escalate, barrier_transition
from core.management.commands.backup_data import EXCLUDE
from deviations.models import Unit, User
from tests.factories import DeviationFactory, TaggingFactory


@pytest.fixture(autouse=True)
def _catalogue(committed_catalogue: None) -> None:
    """Requests commit here, as in production (see tests/conftest.py)."""


def _snapshot() -> dict[str, list[str]]:
    """Every row of every table we back up, as sorted JSON, keyed by model."""
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label.split(".")[0] in EXCLUDE or label in EXCLUDE:
            continue
        values = model._base_manager.order_by("pk").values()
        rows[label] = sorted(json.dumps(v, default=str, sort_keys=True) for v in values)
    return rows


def test_dump_restored_into_an_empty_database_is_the_same(
    staff: User, analyst: User, taby_unit: Unit, tmp_path: Path
) -> None:
    steering_groups_load()
    deviation = DeviationFactory(unit=taby_unit, reporter=staff)
    TaggingFactory(deviation=deviation, tag_id="agency:FK")
    barrier = barrier_create(
        by=analyst, title="Dag 180", tags=["agency:FK"], deviations=[deviation]
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=3), by=analyst
    )
    before = _snapshot()
    path = tmp_path / "backup.xml"
    call_command("backup_data", str(path), stdout=io.StringIO())
    call_command("flush", "--no-input", verbosity=0)
    assert _snapshot()["deviations.deviation"] == []
    call_command("restore_data", str(path), stdout=io.StringIO())
    after = _snapshot()
    differing = {
        k: (len(before[k]), len(after.get(k, []))) for k in before if before[k] != after.get(k)
    }
    assert differing == {}


def test_restore_refuses_a_database_that_holds_deviations(taby_unit: Unit, tmp_path: Path) -> None:
    from django.core.management import CommandError

    DeviationFactory(unit=taby_unit)
    path = tmp_path / "b.xml"
    call_command("backup_data", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="empty database"):
        call_command("restore_data", str(path))


def test_attached_files_are_backed_up_beside_the_dump_and_restored(
    analyst: User, taby_unit: Unit, tmp_path: Path, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.attachments import attachment_add
    from core.models import Attachment

    letter = b"Styrgruppens brev om beslutet."
    attachment = attachment_add(
        obj=taby_unit, upload=SimpleUploadedFile("brev.txt", letter), by=analyst
    )
    stored = Path(settings.MEDIA_ROOT) / attachment.file.name
    path = tmp_path / "backup.xml"
    out = io.StringIO()
    call_command("backup_data", str(path), stdout=out)
    assert "1 attached files written to" in out.getvalue()
    assert (tmp_path / "backup.xml.media.tar").exists()
    call_command("flush", "--no-input", verbosity=0)
    stored.unlink()  # a new machine: an empty database and no files
    call_command("restore_data", str(path), stdout=io.StringIO())
    restored = Attachment.objects.get()
    assert (Path(settings.MEDIA_ROOT) / restored.file.name).read_bytes() == letter

    # Restored without the archive, the missing file is named rather than found later.
    (tmp_path / "backup.xml.media.tar").unlink()
    call_command("flush", "--no-input", verbosity=0)
    stored.unlink()
    err = io.StringIO()
    call_command("restore_data", str(path), stdout=io.StringIO(), stderr=err)
    assert "1 attachments have no file" in err.getvalue()
