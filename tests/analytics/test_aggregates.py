"""The signed documents of federated knot analysis (analytics.aggregates)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from analytics.aggregates import (
    AggregateError,
    aggregate_bytes,
    aggregate_document,
    aggregate_load,
    aggregate_verify,
    cells_in,
    cells_out,
    signing_key_new,
    signing_public,
)
from analytics.federation import agreement_key_new, agreement_public
from analytics.types import KnotParams

CELLS = {"n": 3000, "t:agency:FK": 811, "s:agency:FK|prov:2010:110#K27P48": 97}


@pytest.fixture
def site() -> dict[str, bytes]:
    return {"signing": signing_key_new(), "agreement": agreement_key_new()}


def _document(site: dict[str, bytes], kind: str = "size", body: dict | None = None) -> dict:
    return aggregate_document(
        kind,
        body if body is not None else {"cells": cells_out(CELLS)},
        sender="Samordningsförbundet Roslagen",
        signing_private=site["signing"],
        agreement_public=agreement_public(site["agreement"]),
        round_id="2026-12",
        catalogue_version="2026-11-30",
        concordance="c0ffee",
        params=KnotParams(),
        created=datetime(2026, 12, 5, 8, 0, tzinfo=UTC),
    )


def _trusted(site: dict[str, bytes]) -> dict[str, bytes]:
    return {"Samordningsförbundet Roslagen": signing_public(site["signing"])}


def test_a_document_round_trips_and_says_what_it_is(site: dict[str, bytes]) -> None:
    data = aggregate_bytes(_document(site))
    document = aggregate_verify(aggregate_load(data), trusted=_trusted(site))
    assert (document["format"], document["version"], document["kind"]) == (
        "knutpunkt-aggregate",
        1,
        "size",
    )
    assert document["params"]["min_support"] == KnotParams().min_support
    assert cells_in(document["body"]["cells"]) == CELLS
    assert all(isinstance(v, str) for v in document["body"]["cells"].values())


def test_a_changed_or_cut_file_is_refused(site: dict[str, bytes]) -> None:
    document = json.loads(aggregate_bytes(_document(site)))
    document["body"]["cells"]["n"] = "3001"
    with pytest.raises(AggregateError, match="signature does not match"):
        aggregate_verify(document, trusted=_trusted(site))
    data = aggregate_bytes(_document(site))
    with pytest.raises(AggregateError, match="not a JSON document"):
        aggregate_load(data[: len(data) // 2])


def test_an_unknown_sender_or_a_foreign_key_is_refused(site: dict[str, bytes]) -> None:
    document = _document(site)
    with pytest.raises(AggregateError, match="unknown sender"):
        aggregate_verify(document, trusted={"Finsam Malmö": signing_public(site["signing"])})
    other = signing_public(signing_key_new())
    with pytest.raises(AggregateError, match="not the one registered"):
        aggregate_verify(document, trusted={"Samordningsförbundet Roslagen": other})


@pytest.mark.parametrize(
    "body",
    [
        {"cells": {"n": "12", "text": "FK drog in sjukpenningen"}},  # free text as a cell
        {"cells": {"n": "12"}, "reporter": "anna"},  # a field beyond the method's
        {"cells": {"n": "tolv"}},  # not a number
        {"cells": {"s:agency:FK|Anna Andersson": "3"}},  # a name in place of a tag
        {"cells": {"s:agency:FK|prov:2010:110#K27P48#u": "3"}},  # a unit beside an itemset cell
    ],
)
def test_nothing_but_the_methods_numbers_can_be_written(site: dict[str, bytes], body: dict) -> None:
    with pytest.raises(AggregateError):
        _document(site, body=body)


def test_a_proposal_holds_itemsets_and_the_data_range_only(site: dict[str, bytes]) -> None:
    body = {
        "itemsets": [["agency:FK", "prov:2010:110#K27P48"]],
        "first_month": "2024-01",
        "last_month": "2026-11",
        "municipalities": ["0160", "0187"],
    }
    document = aggregate_verify(_document(site, "proposal", body), trusted=_trusted(site))
    assert document["body"] == body
    with pytest.raises(AggregateError):
        _document(site, "proposal", {**body, "itemsets": [["agency:FK", "AV-2026-00001"]]})


def test_a_levels_counts_are_packed_and_must_match_their_candidates(site: dict[str, bytes]) -> None:
    import numpy as np

    from analytics.aggregates import counts_packed, counts_unpacked

    values = np.array([3, 2**64 - 1, 0], dtype=np.uint64)
    body = {"level": 2, "candidates": 3, "digest": "ab" * 32, "counts": counts_packed(values)}
    document = aggregate_verify(_document(site, "counts", body), trusted=_trusted(site))
    assert counts_unpacked(document["body"]).tolist() == values.tolist()
    with pytest.raises(AggregateError, match="do not match the number"):
        _document(site, "counts", {**body, "candidates": 4})
    with pytest.raises(AggregateError, match="unexpected or missing"):
        _document(site, "counts", {**body, "text": "hej"})


NOTICE = {
    "reference": "2026-12-7",
    "title": "Kronofogden + 5 § (2000:628)",
    "description": "20 avvikelser i 5 kommuner.",
    "status": "escalated",
    "tags": ["agency:KRONOFOGDEN", "prov:2000:628#P5"],
    "knot": {"support": 20, "municipalities": None, "lift": 15.2, "round": "2026-12"},
    "decisions": [
        {
            "kind": "forward",
            "text": "NNS lyfter knuten.",
            "action": "",
            "owner": "",
            "decided_on": "2026-12-05",
            "group": "NNS",
        }
    ],
}


def test_a_notice_carries_a_national_barrier_and_round_trips(site: dict[str, bytes]) -> None:
    document = _document(site, "notice", NOTICE)
    back = aggregate_verify(aggregate_load(aggregate_bytes(document)), trusted=_trusted(site))
    assert back["body"] == NOTICE


@pytest.mark.parametrize(
    "change",
    [
        {"unit": "MIA Täby"},  # a field the notice does not have
        {"title": "x" * 301},
        {"reference": "2026 12 <7>"},
        {"status": "Eskalerat!"},
        {"tags": ["Kronofogden"]},
        {"knot": {"support": -5}},
        {"knot": {"support": 20, "deviations": ["AV-2026-000001"]}},
        {"decisions": [{"kind": "forward", "decided_on": "igår"}]},
        {"decisions": [{"kind": "forward", "decided_on": "2026-12-05", "reporter": "x"}]},
        {"decisions": "NNS beslutade"},
    ],
)
def test_a_notice_of_another_shape_is_refused(site: dict[str, bytes], change: dict) -> None:
    with pytest.raises(AggregateError):
        _document(site, "notice", {**NOTICE, **change})
