"""The demo generator: deterministic, anonymised, and with the planted knots findable.

Pure tests (no database): benchmarks and the demo seed rely on these properties.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from demo.generator import (
    AGE_BANDS,
    AGENCY_CODES,
    CATEGORIES,
    CONSEQUENCES,
    DATA_DIR,
    GENDERS,
    MAX_TAGS,
    PLANTED_KNOTS,
    DemoDeviation,
    DemoUnit,
    generate_deviations,
)

UNITS = (
    DemoUnit("MIA HBS", ("0126", "0127", "0128")),
    DemoUnit("MIA Östra Södertörn", ("0136", "0138", "0192")),
    DemoUnit("MIA Roslagen", ("0117", "0187", "0188")),
    DemoUnit("MIA Stockholm", ("0180",)),
    DemoUnit("MIA Sydväst", ("0181", "0182", "0183")),
    DemoUnit("MIA Järfälla Ekerö", ("0123", "0125")),
    DemoUnit("MIA Vidare länsgemensamt team", ("0114", "0115", "0120", "0160", "0162")),
)
START, END = date(2023, 1, 1), date(2026, 12, 31)
NEW_SOL = date(2025, 7, 1)
NEW_ALF = date(2025, 10, 1)

TAG_RE = re.compile(
    r"^(agency:[A-Z][A-Z_]*"
    r"|law:\d{4}:\d{1,5}"
    r"|prov:\d{4}:\d{1,5}#(K\d+[a-z]?(P\d+[a-z]?)?|P\d+[a-z]?))$"
)
PERSONAL_DATA = re.compile(
    r"\d{6}[-+]?\d{4}"  # personnummer, samordningsnummer (10 digits)
    r"|\d{8}-?\d{4}"  # the same in 12-digit form
    r"|\d{6,}"  # any long run of digits
    r"|@"  # e-mail
    r"|0\d{1,3}-\s?\d{5,8}|\+46"  # phone numbers
    r"|\b\w+(gatan|vägen|gränd|stigen|backen|torget|allén)\s+\d",  # street addresses
    re.IGNORECASE,
)
AGENCY_SURFACE = re.compile(
    r"\b(FK|Fk|F-kassan|försäkringskass\w*|AF|Af|af|arbetsförmedl\w*|soc|soc:\w+|socialt\w+|"
    r"socialsekreterare\w*|socialkontor\w*|socialnämnd\w*|kommun\w*|AME|arbetsmarknadsenhet\w*|"
    r"LSS-handläggaren|VC|VC:s|vård\w*|psykiatri\w*|husläkar\w*|läkaren|behandlande läkare|"
    r"region\w*|"
    r"förbund\w*|samordningsförbund\w*|arbetsgivare\w*|Af-kontoret|SIUS-konsulenten|a-kassan|"
    r"akassan|CSN|Kronofogden|KFM|Migrationsverket|frivården|Kriminalvården|FKs|Afs|AF:s)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def devs() -> list[DemoDeviation]:
    return generate_deviations(n=3000, seed=7, units=UNITS, start=START, end=END)


def _by_knot(devs: list[DemoDeviation]) -> dict[str | None, list[DemoDeviation]]:
    groups: dict[str | None, list[DemoDeviation]] = defaultdict(list)
    for d in devs:
        groups[d.knot].append(d)
    return groups


def _share(devs: list[DemoDeviation], key: str, since: date, until: date) -> float:
    window = [d for d in devs if since <= d.occurred_on < until]
    return sum(d.knot == key for d in window) / len(window)


def test_same_arguments_give_the_same_list(devs: list[DemoDeviation]) -> None:
    again = generate_deviations(n=3000, seed=7, units=UNITS, start=START, end=END)
    assert again == devs


def test_output_does_not_depend_on_string_hashing() -> None:
    """Set iteration order changes with PYTHONHASHSEED; the data must not."""
    code = (
        "import hashlib; from datetime import date; from demo.generator import *; "
        "u = [DemoUnit('A', ('0114', '0115')), DemoUnit('B', ('0180',))]; "
        "d = generate_deviations(n=300, seed=3, units=u, start=date(2024, 1, 1), "
        "end=date(2026, 1, 1)); print(hashlib.sha256(repr(d).encode()).hexdigest())"
    )
    root = str(Path(__file__).resolve().parents[2])
    digests = {
        subprocess.run(  # noqa: S603 - fixed interpreter and code
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": root},
        ).stdout.strip()
        for hash_seed in ("1", "12345")
    }
    units = [DemoUnit("A", ("0114", "0115")), DemoUnit("B", ("0180",))]
    here = generate_deviations(
        n=300, seed=3, units=units, start=date(2024, 1, 1), end=date(2026, 1, 1)
    )
    assert digests == {hashlib.sha256(repr(here).encode()).hexdigest()}


def test_a_different_seed_gives_different_data(devs: list[DemoDeviation]) -> None:
    other = generate_deviations(n=3000, seed=8, units=UNITS, start=START, end=END)
    assert [d.description for d in other] != [d.description for d in devs]
    assert len({d.description for d in other} & {d.description for d in devs}) < 30


@pytest.mark.parametrize("n", [0, 1, 37, 500])
def test_n_is_respected_and_ids_follow_the_sort_order(n: int) -> None:
    out = generate_deviations(n=n, seed=1, units=UNITS, start=START, end=END)
    assert len(out) == n
    assert [d.external_id for d in out] == [f"demo-{i:06d}" for i in range(1, n + 1)]
    assert out == sorted(out, key=lambda d: (d.occurred_on, d.external_id))


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="before"):
        generate_deviations(n=5, seed=1, units=UNITS, start=END, end=START)
    with pytest.raises(ValueError, match="municipality"):
        generate_deviations(n=5, seed=1, units=[], start=START, end=END)
    with pytest.raises(ValueError, match="negative"):
        generate_deviations(n=-1, seed=1, units=UNITS, start=START, end=END)


def test_dates_lie_in_the_range_grow_over_time_and_dip_in_july(devs: list[DemoDeviation]) -> None:
    assert all(START <= d.occurred_on <= END for d in devs)
    per_year = Counter(d.occurred_on.year for d in devs)
    assert per_year[2026] > per_year[2025] > per_year[2024] > per_year[2023]
    assert per_year[2026] > 1.8 * per_year[2023]
    per_month = Counter(d.occurred_on.month for d in devs)
    assert per_month[7] < 0.6 * per_month[6]


def test_fields_take_allowed_values(devs: list[DemoDeviation]) -> None:
    assert {d.category for d in devs} <= set(CATEGORIES)
    assert {d.consequence for d in devs} <= set(CONSEQUENCES)
    assert {d.severity for d in devs} == {1, 2, 3, 4}
    assert {d.gender for d in devs} <= set(GENDERS)
    assert {d.age_band for d in devs} <= set(AGE_BANDS)
    assert {d.knot for d in devs} == {*PLANTED_KNOTS, None}
    assert all(150 <= len(d.description) <= 700 for d in devs)


def test_tags_are_well_formed_sorted_unique_and_bounded(devs: list[DemoDeviation]) -> None:
    tags = [t for d in devs for t in d.tags]
    assert [t for t in tags if not TAG_RE.match(t)] == []
    assert all(list(d.tags) == sorted(set(d.tags)) for d in devs)
    assert all(1 <= len(d.tags) <= MAX_TAGS for d in devs)
    assert {t.removeprefix("agency:") for t in tags if t.startswith("agency:")} <= set(AGENCY_CODES)


def test_every_provision_comes_with_its_law(devs: list[DemoDeviation]) -> None:
    orphans = [
        (d.external_id, t)
        for d in devs
        for t in d.tags
        if t.startswith("prov:") and "law:" + t[5:].split("#")[0] not in d.tags
    ]
    assert orphans == []


def test_descriptions_carry_no_personal_data(devs: list[DemoDeviation]) -> None:
    hits = [(d.external_id, m.group()) for d in devs for m in PERSONAL_DATA.finditer(d.description)]
    assert hits == []


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_data_files_carry_no_personal_data() -> None:
    """The content in demo/data is synthetic: no text there looks like personal data."""
    paths = sorted(DATA_DIR.glob("*.json"))
    assert {p.stem for p in paths} >= {"forms", "knots", "mentions", "phrases", "stories"}
    contents = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    texts = [  # the content, without tag ids, "@" symbols and each file's own description
        s
        for content in contents
        for s in _strings({k: v for k, v in content.items() if k != "description"})
        if not TAG_RE.match(s) and not re.fullmatch(r"@\w+", s)
    ]
    assert [m.group() for t in texts for m in PERSONAL_DATA.finditer(t)] == []


def test_municipality_belongs_to_the_unit(devs: list[DemoDeviation]) -> None:
    members = {u.name: set(u.municipalities) for u in UNITS}
    assert all(d.municipality in members[d.unit] for d in devs)


def test_knot_share_and_hub_agencies(devs: list[DemoDeviation]) -> None:
    knot_share = sum(d.knot is not None for d in devs) / len(devs)
    assert 0.55 <= knot_share <= 0.65
    fk_share = sum("agency:FK" in d.tags for d in devs) / len(devs)
    assert 0.45 <= fk_share <= 0.62
    hubs = Counter(t for d in devs for t in d.tags if t.startswith("agency:"))
    assert {t for t, _n in hubs.most_common(4)} == {
        "agency:FK",
        "agency:AF",
        "agency:KOMMUN",
        "agency:REGION",
    }


@pytest.mark.parametrize("key", sorted(k for k, v in PLANTED_KNOTS.items() if not v.local))
def test_each_planted_knot_has_support_across_municipalities(
    devs: list[DemoDeviation], key: str
) -> None:
    core = set(PLANTED_KNOTS[key].tags)
    supporting = [d for d in devs if core <= set(d.tags)]
    assert len(supporting) >= 40
    assert len({d.municipality for d in supporting}) >= 3
    own = _by_knot(devs)[key]
    assert sum(core <= set(d.tags) for d in own) / len(own) >= 0.8  # the rest is dropout


def test_the_decoy_knot_is_local(devs: list[DemoDeviation]) -> None:
    decoys = [k for k, v in PLANTED_KNOTS.items() if v.local]
    assert len(decoys) == 1
    own = _by_knot(devs)[decoys[0]]
    assert len(own) >= 30
    assert len({d.municipality for d in own}) == 1
    assert len({d.unit for d in own}) == 1


def test_planted_knots_are_concrete_tag_sets() -> None:
    assert len(PLANTED_KNOTS) == 14  # the ten of docs/domain.md §5, (a)–(c) and one local decoy
    for knot in PLANTED_KNOTS.values():
        assert 2 <= len(knot.tags) <= 5
        assert list(knot.tags) == sorted(set(knot.tags))
        assert [t for t in knot.tags if not TAG_RE.match(t)] == []
        assert any(t.startswith(("law:", "prov:")) for t in knot.tags)
        assert knot.trend in {"rising", "flat", "fading"}
    assert Counter(k.trend for k in PLANTED_KNOTS.values())["fading"] == 1


def test_trends_show_in_the_knots_share(devs: list[DemoDeviation]) -> None:
    early, late = (START, date(2025, 7, 1)), (date(2026, 7, 1), date(2027, 1, 1))
    for key, knot in PLANTED_KNOTS.items():
        ratio = _share(devs, key, *late) / _share(devs, key, *early)
        expected = {"rising": (1.6, 99.0), "flat": (0.3, 1.6), "fading": (0.0, 0.6)}[knot.trend]
        assert expected[0] < ratio < expected[1], (key, ratio)


def test_sol_and_akassa_references_follow_the_event_date(devs: list[DemoDeviation]) -> None:
    old_sol = [d for d in devs if "law:2001:453" in d.tags]
    new_sol = [d for d in devs if "law:2025:400" in d.tags]
    assert old_sol
    assert new_sol
    assert max(d.occurred_on for d in old_sol) < NEW_SOL <= min(d.occurred_on for d in new_sol)
    old_alf = [d.occurred_on for d in devs if "law:1997:238" in d.tags]
    new_alf = [d.occurred_on for d in devs if "law:2024:506" in d.tags]
    assert max(old_alf) < NEW_ALF <= min(new_alf)
    assert any("prov:2001:453#K4P1" in d.tags for d in old_sol)
    assert any("prov:2025:400#K12P1" in d.tags for d in new_sol)


def test_knot_descriptions_name_an_agency(devs: list[DemoDeviation]) -> None:
    silent = [d.description for d in devs if d.knot and not AGENCY_SURFACE.search(d.description)]
    assert silent == []


def test_citations_and_everyday_terms_both_occur(devs: list[DemoDeviation]) -> None:
    texts = " ".join(d.description for d in devs)
    for phrase in (
        "27 kap. 48 § SFB",
        "27 kap 48§",
        "4 kap. 1 § SoL",
        "12 kap. 1 § SoL",
        "28 kap. 11 § OSL",
        "förordningen (2017:819)",
        "normalt förekommande arbete",
        "SIP",
        "SGI",
        "FK:s",
        "sekretess",
    ):
        assert phrase in texts, phrase


def test_texts_are_diverse() -> None:
    out = generate_deviations(n=1000, seed=11, units=UNITS, start=START, end=END)
    assert len({d.description for d in out}) >= 500


def test_severity_and_age_follow_the_knot(devs: list[DemoDeviation]) -> None:
    groups = _by_knot(devs)

    def mean_severity(key: str | None) -> float:
        return sum(d.severity for d in groups[key]) / len(groups[key])

    assert mean_severity("after_day_180") > mean_severity(None) + 0.7
    young = Counter(d.age_band for d in groups["young_activity_compensation"])
    assert young["20-29"] / sum(young.values()) >= 0.7
