"""A national round over three sites (three organisations of one database here: "an instance, or
an organisation within one"), through the real documents: requests signed by the national
instance, answers signed by the sites, masked numbers, and national knots equal to one
analysis of all three organisations' deviations."""

from __future__ import annotations

import json

import pytest

from analytics.aggregates import AggregateError, aggregate_bytes
from analytics.extract import AnalysisFilter, deviation_table
from analytics.knots import find_knots
from catalogue.models import Forbund
from catalogue.selectors import concepts as catalogue_concepts
from federation.identity import identity_new
from federation.models import Round
from federation.national import (
    SubmissionRefusedError,
    round_advance,
    round_request,
    round_start,
    round_waiting_for,
    submission_add,
)
from federation.site import site_answer

pytestmark = pytest.mark.django_db

from tests.federation.conftest import (  # noqa: E402 - the shared plan
    EVERYWHERE,
    ONLY_ROSLAGEN,
    PARAMS,
    SITES,
    THIN,
    TODAY,
)


def _run(federation: dict, organisations: dict[str, Forbund], national_round: Round) -> None:
    while national_round.stage != Round.Stage.DONE:
        request = round_request(national_round, identity=federation["national"])
        for slug, identity in federation["sites"].items():
            document = site_answer(
                request,
                identity=identity,
                directory=federation["directory"],
                organisation=organisations[slug],
            )
            submission_add(national_round, aggregate_bytes(document))
        assert round_advance(national_round)
        national_round.refresh_from_db()


def test_a_round_gives_the_knots_of_all_three_organisations_together(
    federation: dict, organisations: dict[str, Forbund]
) -> None:
    national_round = round_start(
        key="2026-12", peers=federation["peers"], params=PARAMS, today=TODAY
    )
    _run(federation, organisations, national_round)
    assert national_round.stage == Round.Stage.DONE
    assert national_round.n_total == sum(SITES.values()) + 3 * 26 + 25
    pooled = find_knots(
        deviation_table(AnalysisFilter(organisations=tuple(organisations))),
        params=PARAMS,
        today=TODAY,
        include_local=True,
        concepts=catalogue_concepts(),
    )
    national = national_round.knots
    assert [k["tags"] for k in national] == [list(k.tags) for k in pooled]
    for ours, theirs in zip(national, pooled, strict=True):
        assert (ours["support"], ours["municipalities"], ours["units"]) == (
            theirs.support,
            theirs.municipalities,
            theirs.units,
        )
    by_tags = {";".join(k["tags"]): k for k in national}
    assert by_tags[THIN]["support"] == 18  # frequent only in the union
    assert by_tags[ONLY_ROSLAGEN]["contributors"] == ["Knutpunkt roslagen"]
    assert len(by_tags[EVERYWHERE]["contributors"]) == 3
    assert len(by_tags[THIN]["contributors"]) == 3  # 6 at each: each may say so (6 ≥ 5)
    assert all(k["deviations"] == [] for k in national)  # the references stay home


def test_what_crosses_the_wire_holds_no_reference_and_no_clear_count(
    federation: dict, organisations: dict[str, Forbund]
) -> None:
    national_round = round_start(
        key="2026-12", peers=federation["peers"], params=PARAMS, today=TODAY
    )
    _run(federation, organisations, national_round)
    everything = json.dumps([s.document for s in national_round.submissions.all()])
    from deviations.models import Deviation

    assert not any(r in everything for r in Deviation.objects.values_list("reference", flat=True))
    assert "MIA roslagen" not in everything
    sizes = [
        int(s.document["body"]["cells"]["n"])
        for s in national_round.submissions.filter(kind="size")
    ]
    assert not set(sizes) & {60 + 26 + 25, 60 + 26}  # no site's own total in the clear


def test_bad_documents_are_refused_with_a_reason(
    federation: dict, organisations: dict[str, Forbund]
) -> None:
    national_round = round_start(
        key="2026-12", peers=federation["peers"], params=PARAMS, today=TODAY
    )
    request = round_request(national_round, identity=federation["national"])
    site = federation["sites"]["roslagen"]
    document = site_answer(
        request,
        identity=site,
        directory=federation["directory"],
        organisation=organisations["roslagen"],
    )
    changed = json.loads(aggregate_bytes(document))
    changed["body"]["cells"]["n"] = "1"
    with pytest.raises(SubmissionRefusedError, match="Dokumentet avvisades"):
        with_language(lambda: submission_add(national_round, changed))
    submission_add(national_round, document)
    with pytest.raises(SubmissionRefusedError):
        submission_add(national_round, document)  # twice
    assert [p.name for p in round_waiting_for(national_round)] == [
        "Knutpunkt hbs",
        "Knutpunkt ostra-sodertorn",
    ]
    assert not round_advance(national_round)  # still waiting
    stranger = identity_new("Okänd")
    with pytest.raises(AggregateError, match="does not take part"):
        site_answer(request, identity=stranger, directory=federation["directory"])


def with_language(call):  # noqa: ANN001, ANN201
    from django.utils import translation

    with translation.override("sv"):
        return call()


def test_the_commands_carry_a_round_through_files(
    organisations: dict[str, Forbund], tmp_path, settings, capsys
) -> None:  # noqa: ANN001
    """federation_keys for each party, a directory, federation_sites, then four times: the
    national request, every site's federation_answer, federation_round submit."""
    from django.core.management import call_command

    entries = []
    for name, national in [("Nationell", True)] + [(f"Site {slug}", False) for slug in SITES]:
        call_command(
            "federation_keys",
            name=name,
            out=str(tmp_path / f"{name}.json"),
            **({"national": True} if national else {}),
        )
        entries.append(json.loads(capsys.readouterr().out))
    assert "private" not in json.dumps(entries)
    (tmp_path / "directory.json").write_text(json.dumps(entries))
    settings.FEDERATION_DIRECTORY_FILE = str(tmp_path / "directory.json")
    call_command("federation_sites", "import", str(tmp_path / "directory.json"))
    call_command("federation_round", "start", "r1", min_support=12, today=TODAY.isoformat())
    for step in range(20):
        if Round.objects.get(key="r1").stage == Round.Stage.DONE:
            break
        stage = f"step{step}"
        settings.FEDERATION_IDENTITY_FILE = str(tmp_path / "Nationell.json")
        call_command("federation_round", "request", "r1", out=str(tmp_path / f"{stage}.json"))
        answers = []
        for slug in SITES:
            settings.FEDERATION_IDENTITY_FILE = str(tmp_path / f"Site {slug}.json")
            out = tmp_path / f"{stage}-{slug}.json"
            call_command(
                "federation_answer",
                request=str(tmp_path / f"{stage}.json"),
                out=str(out),
                organisation=slug,
            )
            answers.append(str(out))
        call_command("federation_round", "submit", "r1", *answers)
    national_round = Round.objects.get(key="r1")
    assert national_round.stage == Round.Stage.DONE
    assert ";".join(national_round.knots[0]["tags"]) in (ONLY_ROSLAGEN, EVERYWHERE, THIN)
    assert {";".join(k["tags"]) for k in national_round.knots} >= {ONLY_ROSLAGEN, EVERYWHERE, THIN}
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="keys are never overwritten"):
        call_command("federation_keys", name="x", out=str(tmp_path / "Nationell.json"))
    settings.FEDERATION_IDENTITY_FILE = str(tmp_path / "Nationell.json")
    with pytest.raises(CommandError, match="Omgången är avslutad|round is finished"):
        call_command("federation_round", "request", "r1", out=str(tmp_path / "again.json"))


def test_a_round_never_rests_on_fewer_than_five(federation: dict) -> None:
    from analytics.types import KnotParams
    from core.errors import DomainError

    with pytest.raises(DomainError, match="at least 5|minst 5"):
        round_start(
            key="x", peers=federation["peers"], params=KnotParams(min_support=4), today=TODAY
        )
