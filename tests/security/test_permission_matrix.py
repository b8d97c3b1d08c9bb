"""Every page and API endpoint, for every role, against objects the role should and should not
see: no leak, no 500, and an endpoint added without a rule here fails this test.

URLs are discovered from the URL configuration (API routes included), not listed by hand; the
expected status per role is the rule, written down once per URL name below.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from analytics.presentation import knot_key
from barriers.models import SteeringGroup
from deviations.models import User

ANON, STAFF, OTHER, ANALYST, STEERING, ADMIN = (
    "anonymous", "staff", "other_unit_staff", "analyst", "steering_member", "admin_user",
)  # fmt: skip
# Organisations: the world's objects belong to Roslagen (Täby's förbund), whose analyst is the
# analyst persona. The foreign analyst and the foreign local administrator work for Östra
# Södertörn (Haninge's förbund); the county analyst also works there, for the whole county.
FOREIGN, COUNTY, FOREIGN_ADMIN = "foreign_analyst", "county_analyst", "foreign_admin"
ROLES = (ANON, STAFF, OTHER, ANALYST, STEERING, ADMIN, FOREIGN, COUNTY, FOREIGN_ADMIN)
LOGIN = 302  # login_required sends anonymous people to the login page
HIDDEN = 404  # an object you may not see looks exactly like one that does not exist


def rule(
    anonymous: int,
    staff: int,
    other: int,
    analyst: int,
    steering: int,
    admin: int,
    *,
    foreign: int | None = None,
    foreign_admin: int | None = None,
) -> dict:
    """Six columns as written; the organisation personas follow them unless told: the county
    analyst always as the analyst (Roslagen is in the county), the foreign analyst and local
    administrator as the analyst and the administrator where no object of Roslagen is asked
    for (`own()` marks the URLs that ask for one)."""
    return dict(
        zip(
            ROLES,
            (
                anonymous,
                staff,
                other,
                analyst,
                steering,
                admin,
                analyst if foreign is None else foreign,
                analyst,
                admin if foreign_admin is None else foreign_admin,
            ),
            strict=True,
        )
    )


def own(anonymous: int, staff: int, other: int, analyst: int, steering: int, admin: int) -> dict:
    """A URL of one of Roslagen's objects: another organisation's people find nothing."""
    return rule(
        anonymous, staff, other, analyst, steering, admin, foreign=HIDDEN, foreign_admin=HIDDEN
    )


# GET status per role. "Own" objects belong to the staff persona's unit (Täby).
RULES: dict[str, dict[str, int]] = {
    "home": rule(LOGIN, 200, 200, 200, 200, 200),
    "healthz": rule(200, 200, 200, 200, 200, 200),
    "healthz_ready": rule(200, 200, 200, 200, 200, 200),  # for probes; no worker needed here
    # By token or a direct local connection, whoever is signed in: the test client comes from
    # 127.0.0.1 (the refusals are in tests/core/test_metrics.py).
    "metrics": rule(200, 200, 200, 200, 200, 200),
    "favicon": rule(301, 301, 301, 301, 301, 301),
    "accessibility": rule(200, 200, 200, 200, 200, 200),  # public, as the law requires
    "easy_read": rule(200, 200, 200, 200, 200, 200),  # public: participants are not users
    "profile": rule(LOGIN, 200, 200, 200, 200, 200),
    "notifications": rule(LOGIN, 200, 200, 200, 200, 200),
    "search": rule(LOGIN, 200, 200, 200, 200, 200),  # each finds only what they may see
    "saved_views": rule(LOGIN, 200, 200, 200, 200, 200),  # each sees only their own
    "saved_view_save": rule(LOGIN, 302, 302, 302, 302, 302),  # GET goes to "Mina vyer"
    # Nobody owns a notification in this world: someone else's looks like none.
    "notification_open": rule(LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "login": rule(200, 302, 302, 302, 302, 302),
    "logout": rule(405, 405, 405, 405, 405, 405),
    # Single sign-on is off unless configured, and then every one of its addresses is absent
    # (404); tests/sso drives them against real identity providers.
    "sso:oidc_login": rule(404, 404, 404, 404, 404, 404),
    "sso:oidc_callback": rule(404, 404, 404, 404, 404, 404),
    "sso:saml_login": rule(404, 404, 404, 404, 404, 404),
    "sso:saml_acs": rule(404, 404, 404, 404, 404, 404),
    "sso:saml_metadata": rule(404, 404, 404, 404, 404, 404),
    "sso:saml_logout": rule(404, 404, 404, 404, 404, 404),
    "api_tokens": rule(LOGIN, 200, 200, 200, 200, 200),  # each sees only their own keys
    # Password reset is for everyone (an unknown or used link gets a page saying so).
    "password_reset": rule(200, 200, 200, 200, 200, 200),
    "password_reset_done": rule(200, 200, 200, 200, 200, 200),
    "password_reset_confirm": rule(200, 200, 200, 200, 200, 200),
    "password_reset_complete": rule(200, 200, 200, 200, 200, 200),
    "password_change": rule(LOGIN, 200, 200, 200, 200, 200),
    "password_change_done": rule(LOGIN, 200, 200, 200, 200, 200),
    "two_factor": rule(LOGIN, 200, 200, 200, 200, 200),  # each sets up their own
    "two_factor_disable": rule(LOGIN, 405, 405, 405, 405, 405),
    "two_factor_verify": rule(LOGIN, 302, 302, 302, 302, 302),  # no authenticator: go on
    "set_language": rule(302, 302, 302, 302, 302, 302),  # GET just goes back; POST switches
    # Accounts are managed by administrators only (the person is the staff persona).
    "accounts:list": rule(LOGIN, 403, 403, 403, 403, 200),
    "accounts:invite": rule(LOGIN, 403, 403, 403, 403, 200),
    "accounts:detail": rule(LOGIN, 403, 403, 403, 403, 200, foreign_admin=HIDDEN),
    "accounts:active": rule(LOGIN, 403, 403, 403, 403, 405),
    "accounts:resend": rule(LOGIN, 403, 403, 403, 403, 405),
    "accounts:remove": rule(LOGIN, 403, 403, 403, 403, 405),
    "deviations:list": rule(LOGIN, 200, 200, 200, 200, 200),
    "deviations:create": rule(LOGIN, 200, 200, 403, 403, 200),
    "deviations:mine": rule(LOGIN, 200, 200, 200, 200, 200),
    # Guldkorn: everyone reads the confirmed ones; people with a unit and analysts report them.
    "practices:list": rule(LOGIN, 200, 200, 200, 200, 200),
    "practices:create": rule(LOGIN, 200, 200, 200, 403, 200),
    "practices:detail": rule(LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),  # a deviation's ref
    "deviations:import": rule(LOGIN, 403, 403, 200, 403, 200),
    "deviations:draft_autosave": rule(405, 405, 405, 405, 405, 405),
    "deviations:draft": rule(LOGIN, 200, HIDDEN, 403, 403, HIDDEN),
    "deviations:draft_discard": rule(LOGIN, 405, 405, 405, 405, 405),
    "deviations:receipt": own(LOGIN, 200, HIDDEN, 200, HIDDEN, 200),
    "deviations:detail": own(LOGIN, 200, HIDDEN, 200, HIDDEN, 200),
    # Only the reporter corrects or withdraws; others who may read it are refused, not hidden.
    "deviations:correct": own(LOGIN, 200, HIDDEN, 403, HIDDEN, 403),
    "deviations:withdraw": rule(LOGIN, 405, 405, 405, 405, 405),
    "deviations:comment": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:comment": rule(LOGIN, 405, 405, 405, 405, 405),
    "triage:queue": rule(LOGIN, 403, 403, 200, 403, 200),
    "triage:bulk": rule(LOGIN, 403, 403, 405, 403, 405),
    "triage:undo": rule(LOGIN, 403, 403, 405, 403, 405),
    "triage:deviation": own(LOGIN, 403, 403, 200, 403, 200),
    "analytics:knots": rule(LOGIN, 403, 403, 200, 403, 200),
    # National rounds: analysts follow them, administrators run them (no round in this world).
    "federation:rounds": rule(LOGIN, 403, 403, 200, 403, 200),
    "federation:round": rule(LOGIN, 403, 403, HIDDEN, 403, HIDDEN),
    "federation:submit": rule(LOGIN, 403, 403, 403, 403, 405),
    # A site's answer: only for whoever sees all the instance answers for (here: all of it).
    "federation:pull": rule(LOGIN, 403, 403, 403, 403, 405),  # POST only
    "federation:barrier_create": rule(LOGIN, 403, 403, 405, 403, 405),  # POST only
    "federation:national_barriers": rule(LOGIN, 403, 403, 200, 403, 200),
    "federation:publish": rule(LOGIN, 403, 403, 403, 403, 405),  # POST only
    "federation:notices": rule(LOGIN, 403, 403, 200, 403, 200),
    # Between instances: POST a signed document; no session or token (docs/federation.md).
    "federation-answer": rule(405, 405, 405, 405, 405, 405),
    "federation-notice": rule(405, 405, 405, 405, 405, 405),
    "federation:answer": rule(LOGIN, 403, 403, 403, 403, 200, foreign_admin=403),
    "analytics:knot": rule(LOGIN, 403, 403, HIDDEN, 403, HIDDEN),  # no such knot in this world
    "analytics:overview": rule(LOGIN, 403, 403, 200, 403, 200),
    "analytics:dashboard": rule(LOGIN, 403, 403, 200, 200, 200),
    "jobs:list": rule(LOGIN, 200, 200, 200, 200, 200),
    "jobs:start": rule(LOGIN, 405, 405, 405, 405, 405),
    "jobs:detail": own(LOGIN, 200, HIDDEN, 200, HIDDEN, 200),  # the staff persona's own job
    "jobs:status": own(LOGIN, 200, HIDDEN, 200, HIDDEN, 200),
    "jobs:retry": rule(LOGIN, 405, 405, 405, 405, 405),
    "jobs:output": own(LOGIN, 200, HIDDEN, 200, HIDDEN, 200),  # the staff persona's export
    "barriers:list": rule(LOGIN, 200, 200, 200, 200, 200),
    "barriers:create": rule(LOGIN, 403, 403, 200, 403, 200),
    "barriers:from_knot": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:detail": own(LOGIN, 302, HIDDEN, 200, 302, 200),
    "barriers:barrier_update": rule(LOGIN, 405, 405, 405, 405, 405),  # POST only: POST_RULES
    "barriers:barrier_transition": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:barrier_escalate": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:barrier_merge": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:barrier_split": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:barrier_examples": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:evidence_add": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:evidence_remove": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:escalation_withdraw": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:dossier": own(LOGIN, 200, HIDDEN, 200, 200, 200),
    "barriers:dossier_pdf": rule(LOGIN, 405, 405, 405, 405, 405),
    # Files: whoever sees the barrier reads them; adding and removing are POST only.
    "barriers:attachment_download": own(LOGIN, 200, HIDDEN, 200, 200, 200),
    "barriers:attachment_add": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:attachment_remove": rule(LOGIN, 405, 405, 405, 405, 405),
    "barriers:inboxes": rule(LOGIN, 200, 200, 200, 302, 200),
    "barriers:decisions_export": rule(LOGIN, 403, 403, 400, 400, 400),  # 400: no format chosen
    "barriers:audit": rule(LOGIN, 403, 403, 200, 403, 200),
    "barriers:inbox": rule(LOGIN, HIDDEN, HIDDEN, 200, 200, 200),
    "barriers:decide": own(LOGIN, HIDDEN, HIDDEN, 200, 200, 200),
    "barriers:agenda": rule(LOGIN, HIDDEN, HIDDEN, 200, 200, 200),
    # The API: token first, so anonymous callers get 401 with WWW-Authenticate.
    "api-root": rule(401, 200, 200, 200, 200, 200),
    "api-token": rule(405, 405, 405, 405, 405, 405),
    "api-token-revoke": rule(401, 401, 401, 401, 401, 401),  # a token only, POST
    "api-token-revoke-all": rule(401, 405, 405, 405, 405, 405),
    "schema": rule(401, 200, 200, 200, 200, 200),
    "api-docs": rule(401, 200, 200, 200, 200, 200),
    "deviation-list": rule(401, 200, 200, 200, 200, 200),
    "deviation-detail": own(401, 200, HIDDEN, 200, HIDDEN, 200),
    "draft-list": rule(401, 200, 200, 403, 403, 200),
    "draft-detail": rule(401, 200, HIDDEN, 403, 403, HIDDEN),
    "barrier-list": rule(401, 200, 200, 200, 200, 200),
    "barrier-detail": own(401, 200, HIDDEN, 200, 200, 200),
    "practice-list": rule(401, 200, 200, 200, 200, 200),
    "practice-detail": rule(401, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),  # a deviation's ref
    "practice-confirm": rule(401, 405, 405, 405, 405, 405),  # POST
    "barrier-route": own(401, 403, 403, 200, 403, 200),
    "barrier-escalate": rule(401, 403, 403, 405, 403, 405),
    "escalation-list": rule(401, 200, 200, 200, 200, 200),
    "escalation-detail": own(401, 200, HIDDEN, 200, 200, 200),
    "escalation-decide": rule(401, 405, 405, 405, 405, 405),
    "escalation-withdraw": rule(401, 403, 403, 405, 403, 405),  # analysts only, POST
    "decision-list": rule(401, 200, 200, 200, 200, 200),
    "decision-detail": rule(401, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "steering-group-list": rule(401, 200, 200, 200, 200, 200),
    "steering-group-detail": rule(401, HIDDEN, HIDDEN, 200, 200, 200),
    "agency-list": rule(401, 200, 200, 200, 200, 200),
    "agency-detail": rule(401, 200, 200, 200, 200, 200),
    "municipality-list": rule(401, 200, 200, 200, 200, 200),
    "municipality-detail": rule(401, 200, 200, 200, 200, 200),
    "forbund-list": rule(401, 200, 200, 200, 200, 200),
    "forbund-detail": rule(401, 200, 200, 200, 200, 200),
    "law-list": rule(401, 200, 200, 200, 200, 200),
    "law-detail": rule(401, 200, 200, 200, 200, 200),
    "provision-list": rule(401, 200, 200, 200, 200, 200),
    "provision-detail": rule(401, 200, 200, 200, 200, 200),
    "term-list": rule(401, 200, 200, 200, 200, 200),
    "term-detail": rule(401, 200, 200, 200, 200, 200),
    "unit-list": rule(401, 200, 200, 200, 200, 200),
    "unit-detail": rule(401, 200, 200, 200, 200, 200),  # team names are not confidential
    "tagging-suggest": rule(401, 405, 405, 405, 405, 405),
    "triage-queue": rule(401, 403, 403, 200, 403, 200),
    "deviation-triage": rule(401, 403, 403, 405, 403, 405),
    "triage-undo": rule(401, 403, 403, 405, 403, 405),
    "knots": rule(401, 403, 403, 200, 403, 200),
    "statistics": rule(401, 403, 403, 200, 403, 200),
    "imports": rule(401, 403, 403, 405, 403, 405),
    "job-list": rule(401, 200, 200, 200, 200, 200),
    "job-detail": own(401, 200, HIDDEN, 200, HIDDEN, 200),
    "job-retry": rule(401, 405, 405, 405, 405, 405),
}
# POST status per role for the actions on the barrier page, posted empty. Only analysts and
# administrators act (the page is theirs; the escalated barrier refuses the empty forms: 400,
# except the examples, where "none" is a choice; an empty reference, no ticks or no reason for
# a withdrawal are form errors); whoever sees the barrier without that right (the reporter, the
# steering member) is refused (403), whoever does not see it finds nothing (404).
ACTED = 400
POST_RULES: dict[str, dict[str, int]] = {
    "barriers:barrier_update": own(LOGIN, 403, HIDDEN, ACTED, 403, ACTED),
    "barriers:barrier_transition": own(LOGIN, 403, HIDDEN, ACTED, 403, ACTED),
    "barriers:barrier_escalate": own(LOGIN, 403, HIDDEN, ACTED, 403, ACTED),
    "barriers:barrier_merge": own(LOGIN, 403, HIDDEN, ACTED, 403, ACTED),
    "barriers:barrier_split": own(LOGIN, 403, HIDDEN, ACTED, 403, ACTED),
    "barriers:barrier_examples": own(LOGIN, 403, HIDDEN, 302, 403, 302),
    "barriers:evidence_add": own(LOGIN, 403, HIDDEN, ACTED, 403, ACTED),
    "barriers:evidence_remove": own(LOGIN, 403, HIDDEN, ACTED, 403, ACTED),
    "barriers:escalation_withdraw": own(LOGIN, 403, HIDDEN, ACTED, 403, ACTED),
    "barriers:detail": rule(LOGIN, 405, 405, 405, 405, 405),  # GET only since the split
    # Those who discuss the barrier add files (an empty form: 400); the reporter reads only.
    "barriers:attachment_add": own(LOGIN, 403, HIDDEN, ACTED, ACTED, ACTED),
    # The analyst added the file: analysts remove it, the others may not.
    "barriers:attachment_remove": own(LOGIN, 403, HIDDEN, 302, 403, 302),
    # Administrators only: no address, no choice whether active, a person with a password to
    # send an invitation to are refused (400); no boxes ticked is a choice (302).
    "accounts:invite": rule(LOGIN, 403, 403, 403, 403, 400),
    "accounts:detail": rule(LOGIN, 403, 403, 403, 403, 302, foreign_admin=HIDDEN),
    "accounts:active": rule(LOGIN, 403, 403, 403, 403, 400, foreign_admin=HIDDEN),
    "accounts:resend": rule(LOGIN, 403, 403, 403, 403, 400, foreign_admin=HIDDEN),
    # Removing for good asks for the username typed out: posted empty, it is refused (400).
    "accounts:remove": rule(LOGIN, 403, 403, 403, 403, 400, foreign_admin=HIDDEN),
}
SKIPPED_PREFIXES = ("admin:",)  # Django's admin: staff-only by Django itself
SKIPPED: set[str] = set()


def _named_patterns() -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                found.setdefault(f"{namespace}{pattern.name}", pattern)

    walk(get_resolver().url_patterns, "")
    return found


def test_every_url_has_a_rule() -> None:
    names = {n for n in _named_patterns() if not n.startswith(SKIPPED_PREFIXES)} - SKIPPED
    missing = sorted(names - set(RULES))
    assert missing == [], f"URLs without an access rule in this test: {missing}"
    assert sorted(set(RULES) - names) == []
    assert sorted(set(POST_RULES) - names) == []


def _kwargs(name: str, pattern: URLPattern, world: dict[str, Any]) -> dict[str, Any]:
    keys = set(pattern.pattern.regex.groupindex) - {"format"}
    values = {
        "reference": world["own"].reference,
        "index": 0,
        "key": (
            world["draft"].key
            if "draft" in name
            else world["job"].key
            if "job" in name
            else knot_key(["agency:AF", "agency:FK"])
        ),
        "pk": {
            "barrier": world["barrier"].pk,
            "escalation": world["escalation"].pk,
            "decision": 0,
            "unit": world["unit"].pk,
            "triage": world["action"].pk,
        }.get(
            name.split("-")[0],
            world["person"].pk if name.startswith("accounts:") else world["barrier"].pk,
        ),
        "slug": world["group"].slug if "steering" in name or ":" in name else "roslagen",
        "escalation_id": world["escalation"].pk,
        "escalation_pk": world["escalation"].pk,
        "attachment_pk": world["attachment"].pk,
        "action_id": world["action"].pk,
        "code": "FK" if name.startswith("agency") else "0160",
        "sfs": "2010:110",
        "tag_id": "prov:2010:110#K27P48",
        "term": "sjukpenning",
        "uidb64": "MQ",
        "token": "set-password",
    }
    return {key: values[key] for key in keys}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_access(
    role: str, world: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = Client()
    if role != ANON:
        client.force_login(request.getfixturevalue(role))
    wrong = []
    for name, pattern in sorted(_named_patterns().items()):
        if name not in RULES:
            continue
        url = reverse(name, kwargs=_kwargs(name, pattern, world))
        status = client.get(url).status_code
        assert status < 500, f"{url} gave {status} for {role}"
        if status != RULES[name][role]:
            wrong.append(f"{name} {url}: {status}, expected {RULES[name][role]}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_act_on_a_barrier_exactly_as_before(
    role: str, world: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = Client()
    if role != ANON:
        client.force_login(request.getfixturevalue(role))
    patterns = _named_patterns()
    wrong = []
    for name, expected in sorted(POST_RULES.items()):
        url = reverse(name, kwargs=_kwargs(name, patterns[name], world))
        status = client.post(url, {}).status_code
        assert status < 500, f"POST {url} gave {status} for {role}"
        if status != expected[role]:
            wrong.append(f"POST {name} {url}: {status}, expected {expected[role]}")
    assert wrong == [], "\n".join(wrong)


def test_other_units_deviation_never_leaks(other_unit_staff: User, world: dict[str, Any]) -> None:
    """The Haninge colleague sees Täby's deviation nowhere: lists, API, search, exports."""
    client = Client()
    client.force_login(other_unit_staff)
    reference = world["own"].reference
    for url in (
        reverse("deviations:list"),
        reverse("deviations:list") + "?export=csv",
        reverse("deviations:mine"),
        "/api/v1/deviations/",
        "/api/v1/barriers/",
        "/api/v1/escalations/",
        reverse("barriers:list"),
    ):
        response = client.get(url)
        assert reference not in response.content.decode("utf-8", "replace"), url


def test_writes_are_refused_where_not_allowed(world: dict[str, Any], staff: User) -> None:
    client = Client()
    client.force_login(staff)
    assert client.post(reverse("triage:bulk"), {"action": "done"}).status_code == 403
    assert client.post(f"/api/v1/barriers/{world['barrier'].pk}/escalate/", {}).status_code == 403
    decided = client.post(
        f"/api/v1/escalations/{world['escalation'].pk}/decide/", {"kind": "reject", "reason": "x"}
    )
    assert decided.status_code == 403
    withdrawn = client.post(
        f"/api/v1/escalations/{world['escalation'].pk}/withdraw/", {"reason": "x"}
    )
    assert withdrawn.status_code == 403
    assert client.post(reverse("deviations:import"), {}).status_code == 403
    barrier = world["barrier"].pk
    reasons = {"status": "closed", "reason": "x", "target": barrier, "examples": []}
    for action in ("update", "transition", "escalate", "merge", "split", "examples"):
        url = reverse(f"barriers:barrier_{action}", args=[barrier])
        assert client.post(url, {"title": "x", "mandate_level": "1", **reasons}).status_code == 403
    own = world["own"].reference
    for name, data in (
        ("evidence_add", {"reference": own}),
        ("evidence_remove", {"examples": own}),
    ):
        assert client.post(reverse(f"barriers:{name}", args=[barrier]), data).status_code == 403
    url = reverse("barriers:escalation_withdraw", args=[barrier, world["escalation"].pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    world["barrier"].refresh_from_db()
    assert (world["barrier"].title, world["barrier"].status) == ("Dag 180", "escalated")
    assert world["barrier"].evidence.get() == world["own"]
    assert SteeringGroup.objects.filter(members=staff).count() == 0
