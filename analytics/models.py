"""What the analysis keeps in the database: the default view's table in the engine's form."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TableSnapshot(models.Model):
    """The default view's deviation table as the engine reads it, packed (analytics.snapshot),
    current up to the change log entry `seen` (deviations.DeviationChange): reading it and the
    few deviations changed since replaces reading a million rows (docs/knots.md §9.4)."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)
    seen = models.BigIntegerField()
    rows = models.PositiveIntegerField()
    data = models.BinaryField(null=True)  # emptied by scan_personal_data --redact, as blobs are

    class Meta:
        verbose_name = _("analysis snapshot")
        verbose_name_plural = _("analysis snapshots")

    def __str__(self) -> str:
        return f"{self.rows} deviations up to change {self.seen}"
