"""Administrators manage accounts on their own pages: invite, roles and units, deactivate."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from core.roles import ADMIN, ANALYST, STAFF
from deviations.accounts import user_history, user_update
from deviations.models import Unit, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _invite(client: Client, unit: Unit, email: str = "Anna.Svensson@example.org") -> object:
    return client.post(
        reverse("accounts:invite"),
        {
            "email": email,
            "first_name": "Anna",
            "last_name": "Svensson",
            "roles": [ANALYST],
            "units": [unit.pk],
        },
    )


def _signs_in(username: str, password: str, client: Client | None = None) -> bool:
    client = client or Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _link(body: str) -> str:
    found = re.search(r"https?://\S+/konto/losenord/aterstall/\S+/", body)
    assert found, body
    return found.group(0)


def test_invitation_mail_link_sets_a_password_and_the_person_signs_in(
    admin_client: Client, taby_unit: Unit, mailoutbox: list, settings: object
) -> None:
    response = _invite(admin_client, taby_unit)
    person = User.objects.get(email="Anna.Svensson@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", args=[person.pk])
    assert person.is_active
    assert not person.has_usable_password()
    assert person.username == "anna.svensson"
    [created] = user_history(person)
    assert created.changes == ("Kontot skapades", "Roller: Analytiker", "Enheter: MIA Täby")
    assert [g.name for g in person.groups.all()] == [ANALYST]
    assert list(person.units.all()) == [taby_unit]
    [mail] = mailoutbox
    assert mail.to == ["Anna.Svensson@example.org"]
    assert mail.subject == "Knutpunkt: du är inbjuden"
    assert "2 timmar" in mail.body
    assert mail.body.count("http://") == 1

    visitor = Client()
    url = _link(mail.body).split("://", 1)[1].split("/", 1)[1]
    form_page = visitor.get("/" + url, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = visitor.post(
        set_url, {"new_password1": "Blå-Kantarell-93", "new_password2": "Blå-Kantarell-93"}
    )
    assert done.status_code == 302
    assert _signs_in("anna.svensson", "Blå-Kantarell-93")


def test_a_taken_or_bad_email_is_refused_and_what_was_typed_kept(
    admin_client: Client, taby_unit: Unit, staff: User, mailoutbox: list
) -> None:
    staff.email = "staff@example.org"
    staff.save()
    response = _invite(admin_client, taby_unit, email="STAFF@example.org")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Det finns redan ett konto med den här e-postadressen." in page
    assert 'value="STAFF@example.org"' in page
    assert 'value="Svensson"' in page
    bad = _invite(admin_client, taby_unit, email="inte-en-adress")
    assert bad.status_code == 400
    assert 'value="inte-en-adress"' in bad.content.decode()
    assert User.objects.filter(last_name="Svensson").count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("role", ["staff", "analyst", "steering_member"])
def test_non_admins_are_refused_everywhere(
    role: str, request: pytest.FixtureRequest, staff: User
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(role))
    pk = staff.pk
    for url in (reverse("accounts:list"), reverse("accounts:invite"), f"/anvandare/{pk}/"):
        assert client.get(url).status_code == 403, url
    for name, kwargs, data in (
        ("accounts:invite", {}, {"email": "x@example.org"}),
        ("accounts:detail", {"pk": pk}, {"roles": [ADMIN]}),
        ("accounts:active", {"pk": pk}, {"active": "0"}),
        ("accounts:resend", {"pk": pk}, {}),
    ):
        assert client.post(reverse(name, kwargs=kwargs), data).status_code == 403, name
    staff.refresh_from_db()
    assert staff.is_active
    assert [g.name for g in staff.groups.all()] == [STAFF]
    assert not User.objects.filter(email="x@example.org").exists()


def test_role_change_and_deactivation_are_in_the_history_with_the_admin(
    admin_client: Client, admin_user: User, staff: User, haninge_unit: Unit
) -> None:
    admin_user.first_name, admin_user.last_name = "Ada", "Admin"
    admin_user.save()
    changed = admin_client.post(
        reverse("accounts:detail", args=[staff.pk]),
        {"roles": [ANALYST], "units": [haninge_unit.pk]},  # staff taken away, analyst given
    )
    assert changed.status_code == 302
    admin_client.post(reverse("accounts:active", args=[staff.pk]), {"active": "0"})
    staff.refresh_from_db()
    assert not staff.is_active
    history = user_history(staff)
    by_admin = [text for entry in history if entry.by == "Ada Admin" for text in entry.changes]
    assert "Roller: Analytiker" in by_admin
    assert "Enheter: MIA Haninge" in by_admin
    assert "Inaktiverad" in by_admin
    assert "Roller: inga" not in by_admin  # the step between removing and adding is not a state
    page = admin_client.get(reverse("accounts:detail", args=[staff.pk])).content.decode()
    assert "Ada Admin" in page
    assert "Inaktiverad" in page
    assert "Roller: Analytiker" in page


def test_an_admin_cannot_deactivate_self_or_drop_the_own_admin_role(
    admin_client: Client, admin_user: User
) -> None:
    response = admin_client.post(reverse("accounts:active", args=[admin_user.pk]), {"active": "0"})
    assert response.status_code == 400
    assert "Du kan inte inaktivera ditt eget konto." in response.content.decode()
    dropped = admin_client.post(reverse("accounts:detail", args=[admin_user.pk]), {"roles": []})
    assert dropped.status_code == 400
    assert "Du kan inte ta bort din egen administratörsroll" in dropped.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert admin_user.groups.filter(name=ADMIN).exists()


def test_a_deactivated_person_cannot_sign_in_and_loses_sessions_and_api_keys(
    admin_client: Client, staff: User
) -> None:
    AuthToken.objects.create(user=staff)
    session_client = Client()
    assert _signs_in("staff", "correct-horse-battery", session_client)
    assert session_client.get(reverse("home")).status_code == 200
    assert (
        admin_client.post(reverse("accounts:active", args=[staff.pk]), {"active": "0"}).status_code
        == 302
    )
    assert not AuthToken.objects.filter(user=staff).exists()
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(staff.pk) for s in Session.objects.all()
    )
    assert session_client.get(reverse("home")).status_code == 302
    assert not _signs_in("staff", "correct-horse-battery")
    admin_client.post(reverse("accounts:active", args=[staff.pk]), {"active": "1"})
    assert _signs_in("staff", "correct-horse-battery")


def test_the_invitation_is_sent_again_only_while_no_password_is_chosen(
    admin_client: Client, taby_unit: Unit, staff: User, mailoutbox: list
) -> None:
    _invite(admin_client, taby_unit)
    person = User.objects.get(email="Anna.Svensson@example.org")
    page = admin_client.get(reverse("accounts:detail", args=[person.pk])).content.decode()
    assert "Skicka inbjudan igen" in page
    again = admin_client.post(reverse("accounts:resend", args=[person.pk]))
    assert again.status_code == 302
    assert len(mailoutbox) == 2
    assert _link(mailoutbox[1].body)
    refused = admin_client.post(reverse("accounts:resend", args=[staff.pk]))
    assert refused.status_code == 400
    assert len(mailoutbox) == 2
    staff_page = admin_client.get(reverse("accounts:detail", args=[staff.pk])).content.decode()
    assert "Skicka inbjudan igen" not in staff_page


def test_list_shows_swedish_roles_and_filters(
    admin_client: Client, staff: User, analyst: User, taby_unit: Unit
) -> None:
    page = admin_client.get(reverse("accounts:list")).content.decode()
    assert "Personal" in page
    assert "Analytiker" in page
    assert "MIA Täby" in page
    assert ">staff<" in page  # the username column, not the role's internal name
    only = admin_client.get(reverse("accounts:list"), {"role": ANALYST}).content.decode()
    assert f'href="/anvandare/{analyst.pk}/"' in only
    assert f'href="/anvandare/{staff.pk}/"' not in only
    UserFactory(username="gone", is_active=False)
    inactive = admin_client.get(reverse("accounts:list"), {"active": "0"}).content.decode()
    assert ">gone<" in inactive
    assert ">staff<" not in inactive


def test_list_is_paged_by_25(admin_client: Client) -> None:
    UserFactory.create_batch(30)
    first = admin_client.get(reverse("accounts:list")).content.decode()
    assert len(re.findall(r'href="/anvandare/\d+/"', first)) == 25
    assert "page=2" in first


def test_update_service_records_the_changer(admin_user: User, staff: User) -> None:
    user_update(user=staff, by=admin_user, roles=[ANALYST], units=[])
    latest = staff.history.order_by("-history_id").first()
    assert latest.history_user == admin_user


def test_removing_asks_for_the_username_keeps_the_deviations_and_ends_the_sessions(
    admin_client: Client, admin_user: User, staff: User, taby_unit: Unit
) -> None:
    from tests.factories import DeviationFactory

    filed = DeviationFactory(unit=taby_unit, reporter=staff)
    session_client = Client()
    assert _signs_in("staff", "correct-horse-battery", session_client)
    url = reverse("accounts:remove", args=[staff.pk])
    refused = admin_client.post(url, {"confirm": "stafff"})
    assert refused.status_code == 400
    assert "Skriv användarnamnet staff" in refused.content.decode()
    assert User.objects.filter(pk=staff.pk).exists()
    done = admin_client.post(url, {"confirm": " staff "}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("accounts:list")
    assert "1 avvikelse finns kvar under en pseudonym" in done.content.decode()
    assert not User.objects.filter(pk=staff.pk).exists()
    filed.refresh_from_db()
    assert filed.reporter is None
    assert filed.reporter_pseudonym
    assert session_client.get(reverse("home")).status_code == 302
    gone = User.history.filter(id=staff.pk, history_type="-").get()
    assert gone.history_user == admin_user
    assert gone.username == filed.reporter_pseudonym[:150]
    assert not User.history.filter(id=staff.pk, email__contains="@").exists()
    own = admin_client.post(reverse("accounts:remove", args=[admin_user.pk]), {"confirm": "admin"})
    assert own.status_code == 400
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_a_local_administrator_manages_only_their_organisation(
    staff: User, other_unit_staff: User, taby_unit: Unit, haninge_unit: Unit
) -> None:
    """Roslagen's local administrator: Roslagen's people and units, never Östra Södertörn's,
    invitations into Roslagen, and no county analyst role to give."""
    from catalogue.models import Forbund

    roslagen = Forbund.objects.get(slug="roslagen")
    Unit.objects.filter(pk=taby_unit.pk).update(forbund=roslagen)
    Unit.objects.filter(pk=haninge_unit.pk).update(
        forbund=Forbund.objects.get(slug="ostra-sodertorn")
    )
    local = UserFactory(username="local", roles=[ADMIN], organisation=roslagen)
    client = Client()
    client.force_login(local)
    listed = client.get(reverse("accounts:list")).content.decode()
    assert "staff" in listed
    assert ">other<" not in listed
    assert client.get(reverse("accounts:detail", args=[other_unit_staff.pk])).status_code == 404
    remove = reverse("accounts:remove", args=[other_unit_staff.pk])
    assert client.post(remove, {"confirm": "other"}).status_code == 404
    page = client.get(reverse("accounts:invite")).content.decode()
    assert "Länsanalytiker" not in page
    assert "MIA Haninge" not in page
    refused = client.post(
        reverse("accounts:invite"),
        {
            "email": "ny@example.org",
            "roles": [ANALYST, "county_analyst"],
            "units": [haninge_unit.pk],
        },
    )
    assert refused.status_code == 400  # neither is a choice the form offers them
    assert not User.objects.filter(email="ny@example.org").exists()
    client.post(
        reverse("accounts:invite"),
        {"email": "ny@example.org", "roles": [ANALYST], "units": [taby_unit.pk]},
    )
    invited = User.objects.get(email="ny@example.org")
    assert invited.organisation == roslagen
    # The service holds the same line whatever a caller passes.
    user_update(user=invited, by=local, roles=[ANALYST, "county_analyst"], units=[haninge_unit])
    assert list(invited.groups.values_list("name", flat=True)) == [ANALYST]
    assert list(invited.units.all()) == []
