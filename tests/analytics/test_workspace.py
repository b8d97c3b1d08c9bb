"""The analyst workspace end to end on a small database: knots command (docs/contracts.md §4),
pages, downloads, small-count suppression and the cache that follows confirmed tags."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from analytics.extract import AnalysisFilter, deviation_table
from analytics.presentation import knot_key
from analytics.results import knot_result
from catalogue.models import Municipality
from deviations.models import Deviation, Tagging, Unit, User
from deviations.services import DeviationInput, TagInput, deviations_file_many
from jobs.models import Job
from jobs.services import job_execute
from tests.factories import UnitFactory, UserFactory, tag_decide

TODAY = date(2026, 6, 30)
KNOT = ("agency:AF", "agency:FK", "prov:2010:110#K27P48")
CODES = ("0160", "0162", "0136", "0180", "0184", "0186")


@pytest.fixture
def corpus(db: None) -> list[Deviation]:
    """40 deviations carrying the knot across six municipalities, 60 of background noise."""
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=CODES)}
    unit = UnitFactory(name="Länsteam", municipalities=list(municipalities.values()))
    items = []
    noise = [("agency:CSN",), ("agency:KOMMUN", "law:2001:453"), ("agency:REGION",)]
    for i in range(100):
        tags = KNOT if i < 40 else noise[i % 3] + (("agency:FK",) if i % 5 == 0 else ())
        items.append(
            DeviationInput(
                occurred_on=TODAY - timedelta(days=(i * 3) % 300),
                unit=unit,
                municipality=municipalities[CODES[i % len(CODES)]],
                description=f"Fall {i}: FK och Af bedömer arbetsförmågan olika.",
                severity=1 + i % 4,
                gender=["kvinna", "man"][i % 2],
                age_band=["", "20-29", "30-39"][i % 3],
                external_id=f"c-{i}",
                tags=tuple(TagInput(tag_id=t) for t in tags),
            )
        )
    return deviations_file_many(by=None, items=items, tag_origin="import", tag_state="confirmed")


def test_extraction_reads_the_packed_confirmed_tags(corpus: list[Deviation]) -> None:
    table = deviation_table(AnalysisFilter())
    assert len(table) == 100
    assert "law:2010:110" in table.vocabulary  # implied by the provision, packed as confirmed
    narrowed = deviation_table(AnalysisFilter(municipalities=("0160",)))
    assert set(narrowed.municipality) == {"0160"}


def test_knots_command_prints_the_contract(corpus: list[Deviation], capsys) -> None:
    call_command("knots", "--json", "--min-support", "10", "--today", TODAY.isoformat())
    knots = json.loads(capsys.readouterr().out)
    top = knots[0]
    assert top["tags"] == list(KNOT)
    assert top["support"] == 40
    assert top["municipalities"] == 6
    assert set(top) >= {
        "tags", "support", "municipalities", "units", "lift", "trend", "score",
        "first_seen", "last_seen", "deviations",
    }  # fmt: skip
    assert len(top["deviations"]) == 40
    assert all(ref.startswith("AV-") for ref in top["deviations"])
    assert not any(
        "law:2010:110" in k["tags"] and "prov:2010:110#K27P48" in k["tags"] for k in knots
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "igår"], "^--since: "),
        (["--municipality", "9999"], "^--municipality: .*9999"),
        (["--min-support", "1"], "^--min-support: "),
        (["--today", "igår"], "YYYY-MM-DD"),
    ],
)
def test_knots_command_refuses_bad_options(corpus, args: list[str], message: str) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("knots", "--json", *args)


def test_results_are_cached_until_a_confirmed_tag_changes(
    corpus: list[Deviation], analyst: User, django_assert_max_num_queries
) -> None:
    first = knot_result(AnalysisFilter(), today=TODAY)
    with django_assert_max_num_queries(2):  # the tag version and one read of the shared cache
        assert knot_result(AnalysisFilter(), today=TODAY).computed_at == first.computed_at
    tagging = Tagging.objects.filter(tag_id="agency:AF").first()
    tag_decide(tagging=tagging, state="rejected", by=analyst)
    again = knot_result(AnalysisFilter(), today=TODAY)
    assert again.tag_version == first.tag_version + 1
    assert again.computed_at > first.computed_at


def test_knots_page_lists_sentences_and_drills_down(
    corpus: list[Deviation], analyst_client: Client
) -> None:
    response = analyst_client.get(reverse("analytics:knots"), {"min_support": 10})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0]["knot"].tags == KNOT
    assert "40" in rows[0]["sentence"]
    assert "<svg" in rows[0]["sparkline"]
    key = knot_key(KNOT)
    detail = analytics_get(analyst_client, reverse("analytics:knot", args=[key]), min_support=10)
    assert detail.status_code == 200
    assert "<svg" in detail.context["picture"]
    assert detail.context["page_obj"].paginator.count == 40  # all of them, 25 to a page
    export = analytics_get(
        analyst_client, reverse("analytics:knot", args=[key]), min_support=10, export="xlsx"
    )
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert sheet.max_row == 41
    missing = analyst_client.get(reverse("analytics:knot", args=["0" * 16]))
    assert missing.status_code == 404


def analytics_get(client: Client, url: str, **params: object):  # noqa: ANN201
    return client.get(url, params)


def test_filter_errors_are_shown_not_raised(corpus, analyst_client: Client) -> None:
    response = analyst_client.get(
        reverse("analytics:knots"), {"since": "2026-05-01", "until": "2026-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["until"]
    assert analyst_client.get(reverse("analytics:knots"), {"min_support": "x"}).status_code == 200


def test_overview_names_hubs(corpus, analyst_client: Client) -> None:
    response = analyst_client.get(reverse("analytics:overview"))
    assert response.status_code == 200
    assert "<svg" in response.context["picture"]
    assert response.context["hubs"]


def test_dashboard_suppresses_small_counts_outside_the_analyst_role(
    corpus, analyst_client: Client, steering_member: User, client: Client
) -> None:
    Deviation.objects.filter(external_id="c-99").update(category="payment_gap")
    analyst_view = analyst_client.get(reverse("analytics:dashboard"))
    categories = next(c for c in analyst_view.context["charts"] if c["name"] == "categories")
    assert any(count == "1" for _, count, _ in categories["rows"])
    client.force_login(steering_member)
    steering_view = client.get(reverse("analytics:dashboard"))
    assert steering_view.status_code == 200
    categories = next(c for c in steering_view.context["charts"] if c["name"] == "categories")
    assert all(count != "1" for _, count, _ in categories["rows"])
    assert any(count == "<5" for _, count, _ in categories["rows"])
    download = client.get(reverse("analytics:dashboard"), {"figure": "categories", "export": "csv"})
    assert "<5" in download.content.decode("utf-8-sig")
    assert client.get(reverse("analytics:knots")).status_code == 403


def test_staff_see_no_analysis(staff_client: Client) -> None:
    assert staff_client.get(reverse("analytics:knots")).status_code == 403
    assert staff_client.get(reverse("analytics:dashboard")).status_code == 403


def test_api_knots_and_statistics(corpus, analyst) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(analyst)
    knots = api.get("/api/v1/knots/", {"min_support": 10}).json()
    assert knots[0]["tags"] == list(KNOT)
    assert knots[0]["sentence"]
    assert api.get("/api/v1/knots/", {"colour": "blue"}).status_code == 400
    assert api.get("/api/v1/knots/", {"since": "igår"}).status_code == 400
    figures = {f["name"]: f for f in api.get("/api/v1/statistics/").json()}
    assert sum(count for _, count in figures["gender"]["rows"]) == 100
    staff = APIClient()
    staff.force_authenticate(UserFactory(roles=["staff"], units=[Unit.objects.first()]))
    assert staff.get("/api/v1/knots/").status_code == 403


def test_column_extraction_equals_the_row_by_row_path(corpus: list[Deviation]) -> None:
    from analytics.extract import filtered_deviations, table_from_rows

    Deviation.objects.filter(external_id="c-5").update(confirmed_tags="", severity=None)
    fast = deviation_table(AnalysisFilter())
    rows = list(
        filtered_deviations(AnalysisFilter()).values_list(
            "reference", "occurred_on", "municipality__code", "unit_id", "severity", "gender",
            "age_band", "confirmed_tags",
        )
    )  # fmt: skip
    slow = table_from_rows(rows)
    by_ref_fast = {fast.references[i]: i for i in range(len(fast))}
    assert len(fast) == len(slow) == 100
    for j in range(len(slow)):
        i = by_ref_fast[slow.references[j]]
        assert fast.tags_of(i) == slow.tags_of(j)
        assert fast.occurred_on[i] == slow.occurred_on[j]
        assert fast.municipality[i] == slow.municipality[j]
        assert (fast.severity[i], fast.gender[i]) == (slow.severity[j], slow.gender[j])
        assert fast.age_band[i] == slow.age_band[j]
    assert set(fast.age_band) > {""}  # the corpus gives age bands, and both paths read them


def test_tags_split_in_chunks_give_the_same_table(
    corpus: list[Deviation], monkeypatch: pytest.MonkeyPatch
) -> None:
    from analytics import extract

    whole = deviation_table(AnalysisFilter())
    monkeypatch.setattr(extract._ChunkedTags, "CHUNK", 7)  # many chunk boundaries
    chunked = deviation_table(AnalysisFilter())
    assert chunked.vocabulary == whole.vocabulary
    assert (chunked.indices == whole.indices).all()
    assert (chunked.indptr == whole.indptr).all()


def test_pages_serve_the_last_result_while_the_recomputation_waits(
    corpus: list[Deviation],
    analyst: User,
    analyst_client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """With the database worker: a tag change queues one recomputation; until it has run, the
    page shows the last good knots with their age; afterwards the fresh ones."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = knot_result()
    with django_capture_on_commit_callbacks(execute=True):
        tagging = Tagging.objects.filter(tag_id="agency:AF").first()
        tag_decide(tagging=tagging, state="rejected", by=analyst)
    job = Job.objects.get(kind="knots")
    assert (job.status, job.dedupe_key) == (Job.Status.QUEUED, "knots:default")

    page = analyst_client.get(reverse("analytics:knots"))
    served = page.context["served"]
    assert served.stale
    assert served.result.computed_at == first.computed_at  # the last good result, not nothing
    assert served.job == job  # the queued job, not a second one
    assert job.get_absolute_url() in page.content.decode()
    assert Job.objects.filter(kind="knots").count() == 1

    assert job_execute(job.pk).status == Job.Status.SUCCEEDED  # what the worker does
    fresh = analyst_client.get(reverse("analytics:knots")).context["served"]
    assert not fresh.stale
    assert fresh.result.tag_version == first.tag_version + 1


def test_api_knots_never_wait_for_the_engine(
    corpus: list[Deviation], analyst: User, settings: Any
) -> None:
    """With the database worker: 202 with the job before the first result, then the last
    result stamped with its age and a link to the recomputation while it is stale."""
    from rest_framework.test import APIClient

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    api = APIClient()
    api.force_authenticate(analyst)
    first = api.get("/api/v1/knots/", {"min_support": 10})
    assert first.status_code == 202
    job = Job.objects.get(key=first.json()["key"])
    assert first["Location"].endswith(f"/api/v1/jobs/{job.key}/")
    job_execute(job.pk)  # the worker
    fresh = api.get("/api/v1/knots/", {"min_support": 10})
    assert fresh.status_code == 200
    assert fresh["Knots-Stale"] == "false"
    assert fresh.json()[0]["tags"] == list(KNOT)
    tag_decide(
        tagging=Tagging.objects.filter(tag_id="agency:CSN").first(), state="rejected", by=analyst
    )
    stale = api.get("/api/v1/knots/", {"min_support": 10})
    assert stale.status_code == 200
    assert stale["Knots-Stale"] == "true"
    assert stale["Knots-Computed-At"] == fresh["Knots-Computed-At"]
    assert 'rel="monitor"' in stale["Link"]
