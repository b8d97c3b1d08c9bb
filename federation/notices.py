"""National barriers, written up from national knots and told back to the sites.

National side: `national_barrier_create` makes a barrier of a finished round's knot (the
barriers app's own flow then takes it to a national steering group: dossier, decision, follow
up); `notices_publish` sends each contributing site a signed `notice` — the barrier's title,
description, status and decisions, and the knot's published figures — after every change.
Site side: `notice_receive` checks that a national instance of its directory signed it and
keeps the latest, shown to the site's analysts and on its matching knots.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from analytics.aggregates import (
    AggregateError,
    aggregate_bytes,
    aggregate_document,
    aggregate_load,
    aggregate_verify,
)
from analytics.disclosure import present_count, protect_count
from analytics.federation import agreement_public
from analytics.presentation import knot_key as make_knot_key
from barriers.models import Barrier, Decision
from barriers.services import barrier_create, mandate_infer
from catalogue.selectors import labels_for
from core.errors import DomainError, StateError
from deviations.models import User
from federation.errors import aggregate_reason
from federation.identity import DirectoryEntry, Identity
from federation.models import NationalBarrier, NationalNotice, Peer, Round
from federation.site import CATALOGUE_VERSION, params_from_json
from federation.transport import NOTICE_PATH, Fetch, TransportError, endpoint, post_json
from privacy.gate import personal_data_check


def _knot(national: Round, index: int) -> dict[str, Any]:
    if national.stage != Round.Stage.DONE or not 0 <= index < len(national.knots):
        raise DomainError(_("The round has no such national knot."), code="no_knot")
    return national.knots[index]


def knot_sentence(knot: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The national knot in one sentence for steering groups and the sites: its counts
    protected as every figure that leaves the analysts is (analytics.disclosure), the
    contributors only those with at least 5."""
    names = [labels.get(n, n) for n in knot.get("contributors", [])]
    return _(
        "%(support)s deviations in %(municipalities)s municipalities name %(tags)s together, "
        "%(lift)s times as often as if they were unrelated. Sites contributing at least 5: "
        "%(sites)s."
    ) % {
        "support": present_count(knot["support"], exact=False),
        "municipalities": present_count(knot["municipalities"], exact=False),
        "tags": " + ".join(labels_for(knot["tags"])),
        "lift": number_format(knot["lift"], decimal_pos=1),
        "sites": ", ".join(names) or "–",
    }


@transaction.atomic
def national_barrier_create(*, national: Round, index: int, by: User) -> NationalBarrier:
    """A barrier of the national instance from the round's knot number `index`."""
    knot = _knot(national, index)
    key = make_knot_key(knot["tags"])
    existing = NationalBarrier.objects.filter(barrier__knot_key=key).exclude(
        barrier__status=Barrier.Status.CLOSED
    )
    if first := existing.select_related("barrier").first():
        raise StateError(
            _("This knot already has a barrier: “%(title)s”.") % {"title": first.barrier.title},
            code="knot_has_barrier",
            barrier=first.barrier.pk,
        )
    labels = {p.name: str(p) for p in national.peers.all()}
    barrier = barrier_create(
        by=by,
        title=" + ".join(labels_for(knot["tags"]))[:300],
        description=knot_sentence(knot, labels),
        mandate_level=mandate_infer(tags=knot["tags"]),
        tags=knot["tags"],
        knot_key=key,
    )
    return NationalBarrier.objects.create(barrier=barrier, round=national, knot=knot)


def notice_body(national: NationalBarrier) -> dict[str, Any]:
    barrier = national.barrier
    decisions = (
        Decision.objects.filter(escalation__barrier=barrier)
        .select_related("escalation__group")
        .order_by("decided_at", "pk")
    )
    return {
        "reference": f"{national.round.key}-{barrier.pk}",
        "title": barrier.title,
        "description": barrier.description,
        "status": barrier.status,
        "tags": list(barrier.tags),
        "knot": {  # protected like the description: the sites' readers are not all analysts
            "support": protect_count(int(national.knot["support"]), exact=False),
            "municipalities": protect_count(int(national.knot["municipalities"]), exact=False),
            "lift": float(national.knot["lift"]),
            "round": national.round.key,
        },
        "decisions": [
            {
                "kind": d.kind,
                "text": d.text,
                "action": d.action,
                "owner": d.owner,
                "decided_on": timezone.localdate(d.decided_at).isoformat(),
                "group": d.escalation.group.name[:200],
            }
            for d in decisions
        ],
    }


def notice_document(
    national: NationalBarrier, *, identity: Identity, now: datetime | None = None
) -> dict[str, Any]:
    return aggregate_document(
        "notice",
        notice_body(national),
        sender=identity.name,
        signing_private=identity.signing_private,
        agreement_public=agreement_public(identity.agreement_private),
        round_id=national.round.key,
        catalogue_version=CATALOGUE_VERSION,
        concordance=national.round.concordance,
        params=params_from_json(national.round.params),
        created=now or timezone.now(),
    )


def notices_publish(
    national: NationalBarrier, *, identity: Identity, fetch: Fetch | None = None
) -> dict[str, str]:
    """Send the barrier as it stands to every site that contributes to its knot and has an
    address. Returns site name → "" (arrived) or why not; kept on the barrier for its page."""
    fetch = fetch or post_json
    document = aggregate_bytes(notice_document(national, identity=identity))
    delivery: dict[str, str] = {}
    for peer in Peer.objects.filter(name__in=national.knot.get("contributors", [])):
        if not peer.url:
            delivery[peer.name] = _("the site has no address")
            continue
        try:
            fetch(endpoint(peer.url, NOTICE_PATH), document)
        except TransportError as error:
            delivery[peer.name] = str(error)
        else:
            delivery[peer.name] = ""
    national.delivery = delivery
    national.published_at = timezone.now()
    national.save(update_fields=["delivery", "published_at"])
    return delivery


class NoticeRefusedError(DomainError):
    code = "notice_refused"


@transaction.atomic
def notice_receive(
    data: bytes | Mapping[str, Any], *, directory: Mapping[str, DirectoryEntry]
) -> NationalNotice:
    """Keep a national barrier told by a national instance of this site's directory; an older
    document than the one kept changes nothing. Personal data is refused like anywhere."""
    national = {name: e.signing_key for name, e in directory.items() if e.national}
    try:
        document = aggregate_load(data) if isinstance(data, bytes) else dict(data)
        document = aggregate_verify(document, trusted=national)
    except AggregateError as error:
        raise NoticeRefusedError(
            _("The document was refused: %(reason)s") % {"reason": aggregate_reason(error)}
        ) from None
    if document["kind"] != "notice":
        raise NoticeRefusedError(_("The document is not a national barrier."))
    body = document["body"]
    try:
        sent_at = datetime.fromisoformat(str(document.get("created")))
    except ValueError:
        raise NoticeRefusedError(_("The document has no valid date.")) from None
    if timezone.is_naive(sent_at):
        sent_at = timezone.make_aware(sent_at)
    if body["status"] not in Barrier.Status.values or any(
        d["kind"] not in Decision.Kind.values for d in body.get("decisions", [])
    ):
        raise NoticeRefusedError(_("The document names a status this instance does not know."))
    fields = {
        "national_label": directory[document["sender"]["name"]].label[:200],
        "title": body["title"],
        "description": body.get("description", ""),
        "status": body["status"],
        "tags": body.get("tags", []),
        "knot": body.get("knot", {}),
        "decisions": body.get("decisions", []),
        "sent_at": sent_at,
    }
    personal_data_check({k: v for k, v in fields.items() if k not in ("sent_at", "national_label")})
    notice = (
        NationalNotice.objects.select_for_update()
        .filter(national=document["sender"]["name"], reference=body["reference"])
        .first()
    )
    if notice is not None and notice.sent_at >= sent_at:
        return notice
    notice = notice or NationalNotice(
        national=document["sender"]["name"], reference=body["reference"]
    )
    for name, value in fields.items():
        setattr(notice, name, value)
    notice.save()
    return notice
