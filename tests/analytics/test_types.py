"""The deviation table: construction, validation, filters; parameters; pickling for the cache."""

from __future__ import annotations

import pickle
from datetime import date

import numpy as np
import pytest

from analytics.types import DeviationTable, KnotParams, implied_law, tag_kind

ROWS = [
    ("AV-2026-00003", date(2026, 3, 1), "0162", 2, 4, "man", ["prov:2010:110#K27P48", "agency:FK"]),
    ("AV-2026-00001", date(2026, 1, 5), "0160", 1, None, "", ["agency:AF", "agency:AF"]),
    ("AV-2026-00002", date(2026, 2, 1), "0136", 3, 1, "kvinna", []),
]


def test_from_records_builds_a_sorted_vocabulary_and_csr() -> None:
    table = DeviationTable.from_records(ROWS)
    assert len(table) == 3
    assert table.vocabulary == ("agency:AF", "agency:FK", "prov:2010:110#K27P48")
    assert table.indptr.tolist() == [0, 2, 3, 3]
    assert table.indices.tolist() == [1, 2, 0]
    assert table.tags_of(0) == ("agency:FK", "prov:2010:110#K27P48")
    assert table.tags_of(1) == ("agency:AF",)  # duplicates dropped
    assert table.severity.tolist() == [4, 0, 1]
    assert table.occurred_on.dtype == np.dtype("datetime64[D]")
    assert list(table.records())[0] == (
        "AV-2026-00003",
        date(2026, 3, 1),
        "0162",
        2,
        4,
        "man",
        ("agency:FK", "prov:2010:110#K27P48"),
        "",  # no age band given
    )
    aged = DeviationTable.from_records([(*ROWS[0], "20-29"), *ROWS[1:]])
    assert aged.age_band.tolist() == ["20-29", "", ""]
    assert aged.take([0]).age_band.tolist() == ["20-29"]
    assert list(aged.records())[0][7] == "20-29"


def test_filters_return_new_tables() -> None:
    table = DeviationTable.from_records(ROWS)
    assert table.between(date(2026, 1, 10)).references.tolist() == [
        "AV-2026-00003",
        "AV-2026-00002",
    ]
    assert table.between(until=date(2026, 1, 31)).references.tolist() == ["AV-2026-00001"]
    reordered = table.take([2, 0])
    assert reordered.indptr.tolist() == [0, 0, 2]
    assert reordered.tags_of(1) == table.tags_of(0)
    assert len(table.take(np.zeros(3, dtype=bool))) == 0
    assert len(table) == 3


def test_validation() -> None:
    good = DeviationTable.from_records(ROWS)

    def build(**changes: object) -> DeviationTable:
        fields = {name: getattr(good, name) for name in DeviationTable.__slots__}
        return DeviationTable(**{**fields, **changes})

    with pytest.raises(ValueError, match="sorted and unique"):
        build(vocabulary=("agency:FK", "agency:AF", "prov:2010:110#K27P48"))
    with pytest.raises(ValueError, match="indptr"):
        build(indptr=np.array([0, 2, 3]))
    with pytest.raises(ValueError, match="within each row"):
        build(indices=np.array([2, 1, 0]))
    with pytest.raises(ValueError, match="tag numbers"):
        build(indices=np.array([1, 5, 0]))
    with pytest.raises(ValueError, match="severity"):
        build(severity=np.array([5, 0, 1]))
    with pytest.raises(ValueError, match="one entry per deviation"):
        build(unit=np.array([1, 2]))


def test_params_are_validated() -> None:
    assert KnotParams().min_support == 10
    for bad, message in (
        ({"min_support": 0}, "min_support"),
        ({"q": 0.0}, "q must"),
        ({"delta": 1.0}, "delta"),
        ({"max_size": 6}, "max_size"),
        ({"max_size": 1}, "max_size"),
        ({"max_tags_enumerated": 2}, "max_tags_enumerated"),
        ({"horizon_days": 0}, "horizon_days"),
    ):
        with pytest.raises(ValueError, match=message):
            KnotParams(**bad)  # type: ignore[arg-type]


def test_tag_kinds_and_implied_laws() -> None:
    assert tag_kind("agency:FK") == "agency"
    assert tag_kind("law:2010:110") == "law"
    assert tag_kind("prov:2010:110#K27P48") == "provision"
    assert implied_law("prov:2010:110#K27P48") == "law:2010:110"
    assert implied_law("prov:2000:628#P6") == "law:2000:628"
    assert implied_law("law:2010:110") is None


def test_tables_survive_pickling_for_the_cache() -> None:
    table = DeviationTable.from_records(ROWS)
    copy = pickle.loads(pickle.dumps(table))  # noqa: S301 - our own bytes
    assert list(copy.records()) == list(table.records())
    assert copy.vocabulary == table.vocabulary
