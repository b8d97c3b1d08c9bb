"""The default view's table kept in the database in the engine's own form (docs/knots.md §9.4).

Reading a million deviations row by row, or as concatenated strings, costs seconds: the
database assembles the strings and Python splits and numbers millions of tags. The worker that
keeps the knot counts (analytics.live) also writes the table it holds, packed as numpy arrays
(`pack`), with the change log position it is current to. Any process then reads the default
view as that one value plus the deviations changed since (analytics.extract).
"""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
from django.utils import timezone

from analytics.models import TableSnapshot
from analytics.types import DeviationTable


def pack(table: DeviationTable, keys: np.ndarray) -> bytes:
    """The table's columns as compact arrays (small integer codes where the values repeat)."""
    municipalities, municipality = np.unique(table.municipality, return_inverse=True)
    genders, gender = np.unique(table.gender, return_inverse=True)
    age_bands, age_band = np.unique(table.age_band, return_inverse=True)
    lengths = np.diff(table.indptr)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        keys=np.asarray(keys, dtype=np.int64),
        references=_compact(np.asarray(table.references, dtype=str)),
        occurred_on=table.occurred_on.astype(np.int32),
        municipalities=municipalities,
        municipality=municipality.astype(np.int16),
        unit=table.unit.astype(np.int64),
        severity=table.severity,
        genders=genders,
        gender=gender.astype(np.int8),
        age_bands=age_bands,
        age_band=age_band.astype(np.int8),
        vocabulary=np.array(table.vocabulary, dtype=str),
        lengths=lengths.astype(np.int16 if not len(lengths) or lengths.max() < 2**15 else np.int64),
        indices=table.indices.astype(np.int16 if len(table.vocabulary) < 2**15 else np.int32),
    )
    return buffer.getvalue()


def _compact(references: np.ndarray) -> np.ndarray:
    """One byte a character where the references are ASCII (they are `AV-2026-00042`)."""
    try:
        return references.astype(np.bytes_)
    except UnicodeEncodeError:
        return references


def unpack(data: bytes) -> tuple[DeviationTable, np.ndarray]:
    arrays = np.load(io.BytesIO(data), allow_pickle=False)
    lengths = arrays["lengths"].astype(np.int64)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    vocabulary = tuple(str(tag) for tag in arrays["vocabulary"])
    table = DeviationTable.unchecked(  # written from a checked table by `pack`
        references=arrays["references"].astype(str).astype(object),
        occurred_on=arrays["occurred_on"].astype("datetime64[D]"),
        municipality=arrays["municipalities"][arrays["municipality"]],
        unit=arrays["unit"],
        severity=arrays["severity"],
        gender=arrays["genders"][arrays["gender"]],
        # A snapshot written before age bands were kept lacks them: KeyError, read every row.
        age_band=arrays["age_bands"][arrays["age_band"]],
        vocabulary=vocabulary,
        indptr=indptr,
        indices=arrays["indices"].astype(np.int32),
    )
    return table, arrays["keys"]


def snapshot_write(table: DeviationTable, keys: np.ndarray, *, seen: int) -> None:
    """Keep this table as the default view current up to change `seen`; older ones go."""
    snapshot = TableSnapshot.objects.create(seen=seen, rows=len(table), data=pack(table, keys))
    TableSnapshot.objects.exclude(pk=snapshot.pk).delete()


# A snapshot older than this is not read: the change log keeps two days (retention), so the
# changes since a younger one are all there; the worker writes one at least daily.
SNAPSHOT_MAX_AGE = timedelta(hours=24)


def snapshot_read() -> tuple[DeviationTable, np.ndarray, int] | None:
    """The newest kept table, its keys and its change log position; None before the first
    and when it is older than a day."""
    row = (
        TableSnapshot.objects.filter(created_at__gte=timezone.now() - SNAPSHOT_MAX_AGE)
        .order_by("-pk")
        .values_list("data", "seen")
        .first()
    )
    if row is None or row[0] is None:
        return None
    try:
        table, keys = unpack(bytes(row[0]))
    except (ValueError, OSError, KeyError, EOFError):
        # Emptied (scan_personal_data --redact drops stored blobs) or damaged: read every row,
        # and the worker's next build writes a new one.
        return None
    return table, keys, int(row[1])


def snapshot_seen() -> int | None:
    return TableSnapshot.objects.order_by("-pk").values_list("seen", flat=True).first()
