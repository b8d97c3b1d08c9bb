"""The only analytics module that touches the ORM: deviations in, a DeviationTable out.

Reads the packed `confirmed_tags` column, one row per deviation, so a million deviations load
without joining millions of tag rows. Duplicates are left out: they would count one case twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import QuerySet

from analytics.types import DeviationTable
from deviations.models import Deviation, Forbund


@dataclass(frozen=True, slots=True)
class AnalysisFilter:
    """The filters every analysis view shares: period, place and unit."""

    since: date | None = None
    until: date | None = None
    municipalities: tuple[str, ...] = ()
    forbund: str | None = None  # slug
    units: tuple[int, ...] = field(default=())

    @property
    def is_local(self) -> bool:
        """A view narrowed to a place, where local knots belong (KNOTS.md §6 step 8)."""
        return bool(self.municipalities or self.forbund or self.units)

    def key(self) -> str:
        return "|".join(
            [
                str(self.since or ""),
                str(self.until or ""),
                ",".join(sorted(self.municipalities)),
                self.forbund or "",
                ",".join(str(u) for u in sorted(self.units)),
            ]
        )


def filtered_deviations(
    analysis_filter: AnalysisFilter, *, base: QuerySet[Deviation] | None = None
) -> QuerySet[Deviation]:
    qs = (base if base is not None else Deviation.objects.all()).filter(duplicate_of__isnull=True)
    if analysis_filter.since:
        qs = qs.filter(occurred_on__gte=analysis_filter.since)
    if analysis_filter.until:
        qs = qs.filter(occurred_on__lte=analysis_filter.until)
    if analysis_filter.municipalities:
        qs = qs.filter(municipality__code__in=analysis_filter.municipalities)
    if analysis_filter.forbund:
        members = Forbund.objects.filter(slug=analysis_filter.forbund).values(
            "municipalities__code"
        )
        qs = qs.filter(municipality__code__in=members)
    if analysis_filter.units:
        qs = qs.filter(unit_id__in=analysis_filter.units)
    return qs


def deviation_table(analysis_filter: AnalysisFilter = AnalysisFilter()) -> DeviationTable:
    """Confirmed tags and the facts the engine needs, for the deviations in the filter.

    Columns come straight from the cursor and the packed tags are split once for all rows, so
    the cost per deviation is a few C-level operations rather than Python objects per tag.
    """
    qs = (
        filtered_deviations(analysis_filter)
        .order_by()
        .values_list(
            "reference",
            "occurred_on",
            "municipality__code",
            "unit_id",
            "severity",
            "gender",
            "confirmed_tags",
        )
    )
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return table_from_rows(rows)


def table_from_rows(
    rows: list[tuple[str, object, str, int, int | None, str | None, str | None]],
) -> DeviationTable:
    """Build the columnar table from raw rows whose last column is the packed tag string."""
    if not rows:
        return DeviationTable.empty()
    references, occurred_on, municipality, unit, severity, gender, packed = zip(*rows, strict=True)
    packed_tags = [p or "" for p in packed]
    lengths = np.fromiter(
        (p.count(";") + 1 if p else 0 for p in packed_tags), dtype=np.int64, count=len(rows)
    )
    flat = ";".join(p for p in packed_tags if p).split(";") if lengths.sum() else []
    codes, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=True)
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = codes.astype(np.int32)
    row_of = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
    # Tags are packed sorted and unique, but the table's rule is enforced here, not assumed.
    order = np.lexsort((indices, row_of))
    indices, row_of = indices[order], row_of[order]
    keep = np.ones(len(indices), dtype=bool)
    keep[1:] = (indices[1:] != indices[:-1]) | (row_of[1:] != row_of[:-1])
    if not keep.all():
        indices, row_of = indices[keep], row_of[keep]
        lengths = np.bincount(row_of, minlength=len(rows))
        np.cumsum(lengths, out=indptr[1:])
    return DeviationTable(
        references=np.array(references, dtype=object),
        occurred_on=np.array(occurred_on, dtype="datetime64[D]"),  # date objects or ISO text
        municipality=np.array(municipality, dtype=str),
        unit=np.array(unit, dtype=np.int64),
        severity=np.nan_to_num(np.array(severity, dtype=np.float64)).astype(np.int8),
        gender=np.array(gender, dtype=object).astype(str),
        vocabulary=tuple(str(tag) for tag in uniques),
        indptr=indptr,
        indices=indices,
    )
