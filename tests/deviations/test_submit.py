"""Staff filing: personal data is refused, the tagger's suggestions meet the reporter's edits,
retries never duplicate, drafts never hold personal data, and retagging keeps human decisions."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalogue.models import Municipality
from core.errors import DomainError, PersonalDataError, StateError
from deviations.models import Deviation, Draft, Tagging, Unit, User
from deviations.services import (
    DeviationInput,
    deviation_submit,
    deviations_retag,
    draft_save,
    pii_mask,
)
from tests.factories import UserFactory, tag_decide

TEXT = "FK drog in sjukpenningen vid dag 180 enligt 27 kap. 48 § SFB och Af kräver inskrivning."


def _input(unit: Unit, **overrides: object) -> DeviationInput:
    values: dict[str, object] = {
        "occurred_on": date(2026, 3, 2),
        "unit": unit,
        "municipality": Municipality.objects.get(code="0160"),
        "description": TEXT,
        "category": "work_capacity",
        "severity": 3,
    }
    values.update(overrides)
    return DeviationInput(**values)  # type: ignore[arg-type]


def _states(deviation: Deviation) -> dict[str, tuple[str, str]]:
    return {t.tag_id: (t.origin, t.state) for t in deviation.taggings.all()}


def test_submit_stores_the_taggers_suggestions_with_explanations(
    staff: User, taby_unit: Unit
) -> None:
    deviation = deviation_submit(by=staff, data=_input(taby_unit))
    tags = {t.tag_id: t for t in deviation.taggings.all()}
    assert {"agency:FK", "agency:AF", "prov:2010:110#K27P48", "law:2010:110"} <= set(tags)
    assert all(t.state == Tagging.State.SUGGESTED for t in tags.values())
    provision = tags["prov:2010:110#K27P48"]
    assert provision.rule
    start, end = provision.spans[0]
    assert "27 kap. 48 §" in TEXT[start:end]


def test_chips_removed_by_the_reporter_are_rejected_and_added_ones_kept(
    staff: User, taby_unit: Unit
) -> None:
    deviation = deviation_submit(
        by=staff,
        data=_input(taby_unit),
        chosen_tags=["agency:FK", "prov:2010:110#K27P48", "agency:KOMMUN"],
    )
    states = _states(deviation)
    assert states["agency:AF"] == ("tagger", "rejected")
    assert states["agency:FK"] == ("tagger", "suggested")
    assert states["law:2010:110"] == ("tagger", "suggested")  # implied by a kept provision
    assert states["agency:KOMMUN"] == ("person", "suggested")
    rejected = deviation.taggings.get(tag_id="agency:AF")
    assert rejected.decided_by == staff


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Gäller 870514-9832, FK har dragit in sjukpenningen.", "personal_data"),
        ("Ring henne på 070-174 06 52 om sjukpenningen.", "personal_data"),
        ("Hon bor på Björkvägen 3 och har försörjningsstöd.", "personal_data"),
        ("Tindra Öhlund fick avslag från FK.", "possible_name"),
    ],
)
def test_personal_data_is_refused_and_nothing_is_written(
    staff: User, taby_unit: Unit, text: str, code: str
) -> None:
    with pytest.raises(PersonalDataError) as excinfo:
        deviation_submit(by=staff, data=_input(taby_unit, description=text))
    assert excinfo.value.code == code
    spans = [(hit["start"], hit["end"]) for hit in excinfo.value.extra["pii"]]
    assert spans
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert not Deviation.objects.exists()
    assert not Deviation.history.exists()


def test_a_confirmed_name_warning_lets_the_text_through(staff: User, taby_unit: Unit) -> None:
    text = "Efter mötet med Maria Andersson på FK drogs sjukpenningen in."
    deviation = deviation_submit(
        by=staff, data=_input(taby_unit, description=text), names_confirmed=True
    )
    assert deviation.description == text


def test_future_event_date_and_foreign_unit_are_refused(
    staff: User, taby_unit: Unit, haninge_unit: Unit
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as future:
        deviation_submit(by=staff, data=_input(taby_unit, occurred_on=tomorrow))
    assert future.value.code == "future_date"
    haninge = Municipality.objects.get(code="0136")
    with pytest.raises(DomainError) as foreign:
        deviation_submit(by=staff, data=_input(haninge_unit, municipality=haninge))
    assert foreign.value.code == "unit_not_yours"
    assert not Deviation.objects.exists()


def test_submitting_the_same_draft_twice_files_once(staff: User, taby_unit: Unit) -> None:
    draft, _ = draft_save(by=staff, draft=None, data={"description": TEXT})
    key = draft.key
    first = deviation_submit(by=staff, data=_input(taby_unit), draft=draft)
    assert not Draft.objects.filter(key=key).exists()
    again = deviation_submit(by=staff, data=_input(taby_unit), idempotency_key=key)
    assert again.pk == first.pk
    assert Deviation.objects.count() == 1


def test_idempotency_key_of_someone_else_does_not_return_their_deviation(
    staff: User, taby_unit: Unit
) -> None:
    key = uuid.uuid4()
    deviation_submit(by=staff, data=_input(taby_unit), idempotency_key=key)
    colleague = UserFactory(roles=["staff"], units=[taby_unit])
    with pytest.raises(DomainError) as excinfo:
        deviation_submit(by=colleague, data=_input(taby_unit), idempotency_key=key)
    assert excinfo.value.code == "idempotency_key_used"
    assert Deviation.objects.filter(reporter=colleague).count() == 0


def test_draft_masks_blocking_personal_data_but_keeps_the_rest(staff: User) -> None:
    text = "Deltagaren 870514-9832 nås på 070-174 06 52. FK drog in sjukpenningen."
    draft, masked = draft_save(
        by=staff, draft=None, data={"description": text, "severity": "3", "tags": ["agency:FK"]}
    )
    assert masked
    stored = Draft.objects.get(pk=draft.pk).data
    assert "870514" not in stored["description"]
    assert "174 06 52" not in stored["description"]
    assert stored["description"].endswith("FK drog in sjukpenningen.")
    assert stored["severity"] == "3"
    assert stored["tags"] == ["agency:FK"]


def test_pii_mask_leaves_clean_text_alone() -> None:
    assert pii_mask(TEXT) == TEXT


def test_nobody_saves_into_someone_elses_draft(staff: User, other_unit_staff: User) -> None:
    draft, _ = draft_save(by=staff, draft=None, data={"description": "början"})
    with pytest.raises(StateError):
        draft_save(by=other_unit_staff, draft=draft, data={"description": "kapat"})
    draft.refresh_from_db()
    assert draft.data["description"] == "början"


def test_retag_keeps_human_decisions_and_refreshes_open_suggestions(
    staff: User, analyst: User, taby_unit: Unit
) -> None:
    deviation = deviation_submit(by=staff, data=_input(taby_unit), chosen_tags=["agency:FK"])
    fk = deviation.taggings.get(tag_id="agency:FK")
    tag_decide(tagging=fk, state=Tagging.State.CONFIRMED, by=analyst)
    rejected_before = set(
        deviation.taggings.filter(state="rejected").values_list("tag_id", flat=True)
    )
    # An open suggestion the catalogue no longer supports, and one that went missing.
    Tagging.objects.create(
        deviation=deviation, tag_id="agency:CSN", kind="agency", origin="tagger", rule="old"
    )
    report = deviations_retag(deviations=[deviation])
    states = _states(deviation)
    assert states["agency:FK"] == ("tagger", "confirmed")
    assert "agency:CSN" not in states
    assert rejected_before == {t for t, (_, s) in states.items() if s == "rejected"}
    assert report.removed == 1
    assert report.kept >= 1 + len(rejected_before)
    # A second run changes nothing.
    again = deviations_retag(deviations=[deviation])
    assert (again.added, again.updated, again.removed) == (0, 0, 0)


def test_retag_command_reports_counts(staff: User, taby_unit: Unit, capsys) -> None:
    deviation_submit(by=staff, data=_input(taby_unit))
    Tagging.objects.filter(tag_id="agency:AF").delete()
    call_command("retag")
    out = capsys.readouterr().out
    assert "Retagged 1 deviations: 1 suggestions added" in out
    assert Tagging.objects.filter(tag_id="agency:AF", state="suggested").exists()


def test_a_retry_that_races_past_the_lookup_returns_the_first(
    staff: User, taby_unit: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = uuid.uuid4()
    first = deviation_submit(by=staff, data=_input(taby_unit), idempotency_key=key)
    # Simulate the race: the second request's lookup ran before the first was saved.
    real_filter = Deviation.objects.filter
    calls = {"n": 0}

    def racing_filter(*args: object, **kwargs: object):  # noqa: ANN202
        calls["n"] += 1
        if calls["n"] == 1 and "idempotency_key" in kwargs:
            return Deviation.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Deviation.objects, "filter", racing_filter)
    again = deviation_submit(by=staff, data=_input(taby_unit), idempotency_key=key)
    assert again.pk == first.pk
    assert Deviation.objects.count() == 1
