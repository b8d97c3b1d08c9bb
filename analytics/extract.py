"""The only analytics module that touches the ORM: deviations in, a DeviationTable out.

Reads the packed `confirmed_tags` column, one row per deviation, so a million deviations load
without joining millions of tag rows. Duplicates are left out: they would count one case twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from analytics.incremental import merged_rows
from analytics.snapshot import snapshot_read
from analytics.types import DeviationRecord, DeviationTable, KnotListing, KnotParams
from catalogue.models import Forbund, Municipality
from core.errors import DomainError
from core.replica import analysis_database, analysis_reading
from deviations.models import Deviation, DeviationChange, GoodPractice, Unit, User
from deviations.selectors import organisation_scope

# What a request, a command line or a job may say about the view: one spelling everywhere.
Params = Mapping[str, str | list[str]]
FILTER_KEYS = ("since", "until", "forbund", "municipality", "unit", "organisation")
KNOT_PARAM_KEYS = tuple(f.name for f in fields(KnotParams))
MIN_SUPPORT_RANGE = (2, 10_000)


class AnalysisFilterError(DomainError):
    """A filter or knot parameter that cannot be used; `field` names the parameter."""

    code = "invalid_filter"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, errors={field: [message]})
        self.field = field


def _values(params: Params | Any, key: str) -> list[str]:
    """Every non-empty value of one parameter, from a plain mapping or a QueryDict."""
    if hasattr(params, "getlist"):
        raw: object = params.getlist(key)
    else:
        raw = params.get(key)
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def _one(params: Params, key: str) -> str | None:
    values = _values(params, key)
    return values[-1] if values else None


def _date(params: Params, key: str) -> date | None:
    value = _one(params, key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AnalysisFilterError(key, _("Write the date as YYYY-MM-DD.")) from None


@dataclass(frozen=True, slots=True)
class AnalysisFilter:
    """The filters every analysis view shares: period, place, unit and organisation.

    Pages, the API, the `knots` command and the knot job all read it with `from_params` and
    write it with `as_params`, so a value means, and is refused, the same everywhere.
    `organisations` is whose deviations are read (the units of these samordningsförbund, as
    data controllers), where `forbund` is a place (its member municipalities): a person's view
    always carries their organisation scope (`for_user`), so a kept result, a queued job and
    an export computed for one förbund can never hold another's deviations.
    """

    since: date | None = None
    until: date | None = None
    municipalities: tuple[str, ...] = ()
    forbund: str | None = None  # slug
    units: tuple[int, ...] = field(default=())
    organisations: tuple[str, ...] = ()  # slugs; empty: every organisation

    def __post_init__(self) -> None:
        # One spelling of each view: order and repeats do not make a different filter.
        object.__setattr__(self, "municipalities", tuple(sorted(set(self.municipalities))))
        object.__setattr__(self, "units", tuple(sorted(set(self.units))))
        object.__setattr__(self, "organisations", tuple(sorted(set(self.organisations))))

    @classmethod
    def for_user(cls, params: Params, user: User) -> AnalysisFilter:
        """`from_params`, narrowed to the organisations the person may analyse: nothing asked
        means all of them; asking for one outside is refused as an unknown one is."""
        return cls.from_params(params).scoped(user)

    def scoped(self, user: User) -> AnalysisFilter:
        scope = organisation_scope(user)
        if scope is None:
            return self
        allowed = set(Forbund.objects.filter(pk__in=scope).values_list("slug", flat=True))
        outside = set(self.organisations) - allowed
        if outside:
            raise AnalysisFilterError(
                "organisation",
                _("Unknown organisation: %(slugs)s.") % {"slugs": _listed(outside)},
            )
        return replace(self, organisations=self.organisations or tuple(allowed))

    @classmethod
    def from_params(cls, params: Params) -> AnalysisFilter:
        """The filter from request-like parameters (`since`, `until` as YYYY-MM-DD,
        `forbund` slug, `municipality` codes, `unit` ids, `organisation` slugs); other keys
        are not read. Raises AnalysisFilterError, with a translated message, for the first
        bad value."""
        since, until = _date(params, "since"), _date(params, "until")
        if since and until and since > until:
            raise AnalysisFilterError("until", _("The end date is before the start date."))
        forbund = _one(params, "forbund")
        if forbund is not None and not Forbund.objects.filter(slug=forbund).exists():
            raise AnalysisFilterError(
                "forbund", _("Unknown samordningsförbund: %(slug)s.") % {"slug": forbund[:64]}
            )
        codes = set(_values(params, "municipality"))
        known = set(Municipality.objects.filter(code__in=codes).values_list("code", flat=True))
        if codes - known:
            raise AnalysisFilterError(
                "municipality",
                _("Unknown municipality code: %(codes)s.") % {"codes": _listed(codes - known)},
            )
        raw_units = set(_values(params, "unit"))
        units = {int(u) for u in raw_units if u.isdecimal() and len(u) < 10}
        found = set(Unit.objects.filter(pk__in=units).values_list("pk", flat=True))
        missing = {u for u in raw_units if not (u.isdecimal() and len(u) < 10 and int(u) in found)}
        if missing:
            raise AnalysisFilterError(
                "unit", _("Unknown unit: %(units)s.") % {"units": _listed(missing)}
            )
        organisations = set(_values(params, "organisation"))
        known = set(Forbund.objects.filter(slug__in=organisations).values_list("slug", flat=True))
        if organisations - known:
            raise AnalysisFilterError(
                "organisation",
                _("Unknown organisation: %(slugs)s.") % {"slugs": _listed(organisations - known)},
            )
        return cls(
            since=since,
            until=until,
            municipalities=tuple(codes),
            forbund=forbund,
            units=tuple(units),
            organisations=tuple(organisations),
        )

    def as_params(self) -> dict[str, str | list[str]]:
        """The inverse of `from_params`, JSON-ready; empty parts are left out."""
        params: dict[str, str | list[str]] = {}
        if self.since:
            params["since"] = self.since.isoformat()
        if self.until:
            params["until"] = self.until.isoformat()
        if self.forbund:
            params["forbund"] = self.forbund
        if self.municipalities:
            params["municipality"] = list(self.municipalities)
        if self.units:
            params["unit"] = [str(unit) for unit in self.units]
        if self.organisations:
            params["organisation"] = list(self.organisations)
        return params

    @property
    def is_local(self) -> bool:
        """A view narrowed to a place, where local knots belong (docs/knots.md §6 step 8)."""
        return bool(self.municipalities or self.forbund or self.units or self.organisations)

    def key(self) -> str:
        return "|".join(
            [
                str(self.since or ""),
                str(self.until or ""),
                ",".join(sorted(self.municipalities)),
                self.forbund or "",
                ",".join(str(u) for u in sorted(self.units)),
                ",".join(self.organisations),
            ]
        )


def _listed(values: Iterable[str]) -> str:
    return ", ".join(sorted(value[:20] for value in values)[:5])


def knot_params_from_params(params: Params) -> KnotParams:
    """The knot engine's parameters from the same kind of parameters as the filter: any
    KnotParams field by name (pages and the API offer `min_support`); others keep their
    defaults. Raises AnalysisFilterError for a value that is not a number or out of range."""
    values: dict[str, Any] = {}
    for item in fields(KnotParams):
        raw = _one(params, item.name)
        if raw is None:
            continue
        number_type = int if item.type in (int, "int") else float
        try:
            value = number_type(raw)
        except (TypeError, ValueError):
            value = None
        if item.name == "min_support":
            low, high = MIN_SUPPORT_RANGE
            if value is None or not low <= value <= high:
                raise AnalysisFilterError(
                    item.name,
                    _(
                        "The minimum number of deviations must be a whole number "
                        "from %(low)d to %(high)d."
                    )
                    % {"low": low, "high": high},
                )
        else:
            try:
                KnotParams(**{item.name: value})
            except (TypeError, ValueError):
                value = None
            if value is None:
                raise AnalysisFilterError(
                    item.name, _("%(name)s is not an allowed value.") % {"name": item.name}
                )
        values[item.name] = value
    return KnotParams(**values)


KNOT_ORDERS = ("score", "equality")
_YES, _NO = ("1", "true", "on", "yes"), ("", "0", "false", "off", "no")


def knot_listing_from_params(params: Params) -> KnotListing:
    """Which knots a list shows and in which order: `equality=1` keeps the knots with an
    equality finding (analytics.equality), `order=equality` puts the largest ratio first
    (`order=score`, the default, the ranking). The page and the API read it here."""
    equality = (_one(params, "equality") or "").strip().lower()
    order = (_one(params, "order") or "score").strip().lower()
    if equality not in _YES + _NO:
        raise AnalysisFilterError(
            "equality", _("Say 1 to show only knots that hit a group harder, or leave it out.")
        )
    if order not in KNOT_ORDERS:
        raise AnalysisFilterError(
            "order",
            _("The order must be one of: %(orders)s.") % {"orders": ", ".join(KNOT_ORDERS)},
        )
    return KnotListing(equality_only=equality in _YES, order=order)


def knot_params_as_params(params: KnotParams) -> dict[str, str | list[str]]:
    """The inverse of `knot_params_from_params`, JSON-ready: the fields that differ from
    the defaults, so the default parameters are `{}`."""
    default = KnotParams()
    return {
        item.name: str(getattr(params, item.name))
        for item in fields(KnotParams)
        if getattr(params, item.name) != getattr(default, item.name)
    }


def filtered_deviations(
    analysis_filter: AnalysisFilter, *, base: QuerySet[Deviation] | None = None
) -> QuerySet[Deviation]:
    qs = (
        (base if base is not None else Deviation.objects.all())
        .filter(duplicate_of__isnull=True)
        .exclude(status=Deviation.Status.WITHDRAWN)  # filed by mistake, its reporter said
    )
    return _in_view(qs, analysis_filter)


def filtered_practices(analysis_filter: AnalysisFilter) -> QuerySet[GoodPractice]:
    """The guldkorn of the same period, places, units and organisations as the deviations."""
    return _in_view(GoodPractice.objects.all(), analysis_filter)


def _in_view[QS: QuerySet[Any]](qs: QS, analysis_filter: AnalysisFilter) -> QS:
    """Period, place, unit and organisation: fields deviations and guldkorn share."""
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
    if analysis_filter.organisations:
        qs = qs.filter(unit__forbund__slug__in=analysis_filter.organisations)
    return qs


def deviation_table(analysis_filter: AnalysisFilter = AnalysisFilter()) -> DeviationTable:
    """Confirmed tags and the facts the engine needs, for the deviations in the filter.

    The database concatenates each column into one string (SQLite `group_concat`, PostgreSQL
    `string_agg`), so a million deviations cross into Python as seven strings, not seven
    million objects; numpy and pandas split them. Other databases take the row-by-row path.
    """
    return deviation_table_keyed(analysis_filter)[0]


@analysis_reading
def deviation_table_keyed(
    analysis_filter: AnalysisFilter = AnalysisFilter(),
    *,
    ids: Iterable[int] | None = None,
    full: bool = False,
) -> tuple[DeviationTable, np.ndarray]:
    """`deviation_table`, with each row's deviation id (ascending: rows are in id order);
    with `ids`, only those of them that are in the filter (analytics.live's changes). The
    default view comes from the kept snapshot and the deviations changed since, where there
    is one (analytics.snapshot).

    An analysis read (core.replica): from the replica when there is a usable one, the
    snapshot, the change log and the rows alike; analytics.live pins its reads to the primary.
    """
    if ids is None and not full and analysis_filter == AnalysisFilter():
        kept = _from_snapshot()
        if kept is not None:
            return kept
    base = None
    if ids is not None:
        base = Deviation.objects.filter(pk__in=list(ids))
    qs = (
        filtered_deviations(analysis_filter, base=base)
        .order_by()
        .values_list(
            "id",
            "reference",
            "occurred_on",
            "municipality_id",
            "unit_id",
            "severity",
            "gender",
            "age_band",
            "confirmed_tags",
        )
    )
    inner, params = qs.query.sql_with_params()
    connection = connections[analysis_database()]
    vendor = connection.vendor
    if vendor not in _COLUMN_SQL:
        with connection.cursor() as cursor:
            cursor.execute(inner, params)
            rows = sorted(cursor.fetchall())
        codes = dict(Municipality.objects.values_list("pk", "code"))
        table = table_from_rows(
            [(r[1], r[2], codes[r[3]], r[4], r[5], r[6], r[7], r[8]) for r in rows]
        )
        return table, np.array([r[0] for r in rows], dtype=np.int64)
    with connection.cursor() as cursor:
        # Only fixed text and Django's own parameterised SQL are joined here.
        sql = _COLUMN_SQL[vendor].format(inner=inner, tag_count=_TAG_COUNT)
        cursor.execute(sql, params)
        count, keys, *columns = cursor.fetchone()
    if not count:
        return DeviationTable.empty(), np.zeros(0, dtype=np.int64)
    references, days, municipality_ids, units, severities, genders, ages, counts, tags = columns
    code_of = dict(Municipality.objects.values_list("pk", "code"))
    id_lookup = np.array(
        [code_of.get(i, "") for i in range(max(code_of, default=0) + 1)], dtype=object
    )
    table = _table(
        references=np.array(references.split(","), dtype=object),
        occurred_on=np.array(days.split(","), dtype=np.int64).astype("datetime64[D]"),
        municipality=id_lookup[np.array(municipality_ids.split(","), dtype=np.int64)].astype(str),
        unit=np.array(units.split(","), dtype=np.int64),
        severity=np.array(severities.split(","), dtype=np.int8),
        gender=np.array(genders.split(","), dtype=object).astype(str),
        age_band=np.array(ages.split(","), dtype=object).astype(str),
        lengths=np.array(counts.split(","), dtype=np.int64),
        flat=_ChunkedTags(tags or ""),
    )
    return table, np.array(keys.split(","), dtype=np.int64)


def _from_snapshot() -> tuple[DeviationTable, np.ndarray] | None:
    """The kept table brought up to date with the deviations the one door passed since; None
    when there is none, deviations were removed since, or the result disagrees with the
    database's count (a change around the door): the caller then reads every row."""
    read = snapshot_read()
    if read is None:
        return None
    table, keys, seen = read
    # The snapshot is younger than a day and the log keeps two (analytics.snapshot), so every
    # change since it is still here.
    changed = list(
        DeviationChange.objects.filter(id__gt=seen).values_list("deviation_id", flat=True)
    )
    if None in changed:
        return None  # deviations were removed since
    if changed:
        table, keys = _patched(table, keys, sorted(set(changed)))
    if len(table) != filtered_deviations(AnalysisFilter()).count():
        return None
    return table, keys


def _patched(
    table: DeviationTable, keys: np.ndarray, ids: list[int]
) -> tuple[DeviationTable, np.ndarray]:
    """The table with these deviations as they are now: replaced, left out (no longer in the
    analysis) or added in key order."""
    fresh: dict[int, DeviationRecord] = {}
    for start in range(0, len(ids), 5000):  # within every database's parameter limit
        batch_table, batch_keys = deviation_table_keyed(ids=ids[start : start + 5000])
        fresh.update(zip(batch_keys.tolist(), batch_table.records(), strict=True))
    wanted = np.array(ids, dtype=np.int64)
    position = np.searchsorted(keys, wanted)
    inside = position < len(keys)
    inside[inside] = keys[position[inside]] == wanted[inside]
    alive = np.ones(len(table), dtype=bool)
    rows, records = [], []
    for key, row, known in zip(ids, position.tolist(), inside.tolist(), strict=True):
        if known:
            if key in fresh:
                rows.append(row)
                records.append(fresh[key])
            else:
                alive[row] = False
    added = sorted(
        key for key, known in zip(ids, inside.tolist(), strict=True) if not known and key in fresh
    )
    if added and len(keys) and added[0] < keys[-1]:
        return deviation_table_keyed(ids=None, full=True)  # out of order: read it all
    changed = DeviationTable.from_records([*records, *(fresh[key] for key in added)])
    merged = merged_rows(table, alive, rows, changed, len(rows))
    new_keys = np.concatenate((keys[alive], np.array(added, dtype=np.int64)))
    return merged, new_keys


# Tags per deviation, counted in the database so Python never loops over rows.
_TAG_COUNT = (
    "CASE WHEN confirmed_tags = '' THEN 0 "
    "ELSE length(confirmed_tags) - length(replace(confirmed_tags, ';', '')) + 1 END"
)
# One row of column strings, in primary-key order; severity 0 = not assessed, days since 1970.
_COLUMN_SQL = {
    "sqlite": (
        "SELECT count(*), group_concat(id, ','), group_concat(reference, ','), "
        "group_concat(CAST(julianday(occurred_on) - 2440587.5 AS INTEGER), ','), "
        "group_concat(municipality_id, ','), group_concat(unit_id, ','), "
        "group_concat(COALESCE(severity, 0), ','), group_concat(gender, ','), "
        "group_concat(age_band, ','), "
        "group_concat({tag_count}, ','), group_concat(NULLIF(confirmed_tags, ''), ';') "
        "FROM ({inner} ORDER BY 1) AS t"
    ),
    "postgresql": (
        "SELECT count(*), string_agg(id::text, ',' ORDER BY id), "
        "string_agg(reference, ',' ORDER BY id), "
        "string_agg((occurred_on - DATE '1970-01-01')::text, ',' ORDER BY id), "
        "string_agg(municipality_id::text, ',' ORDER BY id), "
        "string_agg(unit_id::text, ',' ORDER BY id), "
        "string_agg(COALESCE(severity, 0)::text, ',' ORDER BY id), "
        "string_agg(gender, ',' ORDER BY id), "
        "string_agg(age_band, ',' ORDER BY id), "
        "string_agg(({tag_count})::text, ',' ORDER BY id), "
        "string_agg(NULLIF(confirmed_tags, ''), ';' ORDER BY id) "
        "FROM ({inner}) AS t"
    ),
}


def table_from_rows(
    rows: list[tuple[str, object, str, int, int | None, str | None, str | None, str | None]],
) -> DeviationTable:
    """Build the columnar table from raw rows (reference, day, municipality code, unit,
    severity, gender, age band) whose last column is the packed tag string."""
    if not rows:
        return DeviationTable.empty()
    references, occurred_on, municipality, unit, severity, gender, ages, packed = zip(
        *rows, strict=True
    )
    return _table(
        references=np.array(references, dtype=object),
        occurred_on=np.array(occurred_on, dtype="datetime64[D]"),  # date objects or ISO text
        municipality=np.array(municipality, dtype=str),
        unit=np.array(unit, dtype=np.int64),
        severity=np.nan_to_num(np.array(severity, dtype=np.float64)).astype(np.int8),
        gender=np.array(gender, dtype=object).astype(str),
        age_band=np.array([age or "" for age in ages], dtype=object).astype(str),
        lengths=np.array([p.count(";") + 1 if p else 0 for p in packed], dtype=np.int64),
        flat=";".join(p for p in packed if p).split(";") if any(packed) else [],
    )


class _ChunkedTags:
    """The tag string of every row joined by ";", split a million at a time, so five million
    tag strings never exist at once (the memory peak of extraction at a million deviations)."""

    CHUNK = 1_000_000

    def __init__(self, joined: str) -> None:
        self.joined = joined

    def chunks(self) -> Iterator[list[str]]:
        rest = self.joined
        while rest:
            parts = rest.split(";", self.CHUNK)
            rest = parts.pop() if len(parts) > self.CHUNK else ""
            yield parts


def _factorize(flat: list[str] | _ChunkedTags, *, total: int) -> tuple[np.ndarray, list[str]]:
    """Tag numbers in the sorted vocabulary's order, and that vocabulary."""
    if isinstance(flat, list):
        import pandas as pd  # at the first use: importing pandas costs every process 0.15 s

        codes, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=True)
        return codes.astype(np.int32), [str(tag) for tag in uniques]
    first_seen: dict[str, int] = {}
    codes = np.empty(total, dtype=np.int32)
    position = 0
    for parts in flat.chunks():
        numbers = [first_seen.setdefault(tag, len(first_seen)) for tag in parts]
        codes[position : position + len(numbers)] = numbers
        position += len(numbers)
    vocabulary = sorted(first_seen)
    rank = np.empty(len(first_seen), dtype=np.int32)
    for new, tag in enumerate(vocabulary):
        rank[first_seen[tag]] = new
    return (rank[codes] if len(codes) else codes), vocabulary


def _table(
    *,
    references: np.ndarray,
    occurred_on: np.ndarray,
    municipality: np.ndarray,
    unit: np.ndarray,
    severity: np.ndarray,
    gender: np.ndarray,
    age_band: np.ndarray,
    lengths: np.ndarray,
    flat: list[str] | _ChunkedTags,
) -> DeviationTable:
    """Columns plus every row's tags in one flat list (with the count per row) → the table."""
    n = len(references)
    codes, uniques = _factorize(flat, total=int(lengths.sum()))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = codes
    # Tags are packed sorted and unique, but in the database's collation: check, and sort only
    # when some row is out of order (the common case costs one vectorised comparison).
    row_start = np.zeros(len(indices), dtype=bool)
    row_start[indptr[:-1][lengths > 0]] = True
    ordered = (np.diff(indices) > 0) | row_start[1:]
    if len(indices) > 1 and not ordered.all():
        row_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        order = np.lexsort((indices, row_of))
        indices, row_of = indices[order], row_of[order]
        keep = np.ones(len(indices), dtype=bool)
        keep[1:] = (indices[1:] != indices[:-1]) | (row_of[1:] != row_of[:-1])
        indices = indices[keep]
        np.cumsum(np.bincount(row_of[keep], minlength=n), out=indptr[1:])
    return DeviationTable(
        references=references,
        occurred_on=occurred_on,
        municipality=municipality,
        unit=unit,
        severity=severity,
        gender=gender,
        vocabulary=tuple(str(tag) for tag in uniques),
        indptr=indptr,
        indices=indices,
        age_band=age_band,
    )
