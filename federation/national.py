"""The national instance: rounds over the sites, from their documents to national knots.

A round moves through four stages (federation.models.Round.Stage). For each, `round_request`
gives the signed request every site answers (federation.site.site_answer); `submission_add`
checks and keeps a site's answer; when every site of the round has answered, `round_advance`
sums the masked numbers (analytics.federation) and moves on. The last stage leaves the national
knots, with the sites that contribute at least SMALL_COUNT deviations to each.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.aggregates import (
    AggregateError,
    aggregate_bytes,
    aggregate_document,
    aggregate_load,
    aggregate_verify,
    cells_in,
    counts_unpacked,
)
from analytics.disclosure import SMALL_COUNT
from analytics.federation import (
    EvidenceRequest,
    SiteProfile,
    agreement_public,
    candidates_digest,
    cells_digest,
    evidence_cells,
    level_candidates,
    level_outcome,
    national_evidence_knots,
    national_knots,
    secure_sum,
    secure_sum_vector,
)
from analytics.knots import GatedKnot, knots_as_json
from analytics.types import KnotParams
from core.errors import DomainError
from federation.errors import aggregate_reason
from federation.identity import Identity
from federation.models import Peer, Round, Submission
from federation.site import (
    CATALOGUE_VERSION,
    evidence_request_as_json,
    evidence_request_from_json,
    params_from_json,
)
from federation.transport import ANSWER_PATH, Fetch, TransportError, endpoint, post_json

STAGES = [Round.Stage.SIZE, Round.Stage.PROPOSAL, Round.Stage.COUNTS, Round.Stage.EVIDENCE]


class SubmissionRefusedError(DomainError):
    code = "submission_refused"


def _refused(reason: str) -> SubmissionRefusedError:
    return SubmissionRefusedError(_("The document was refused: %(reason)s") % {"reason": reason})


@transaction.atomic
def round_start(
    *,
    key: str,
    peers: Iterable[Peer],
    params: KnotParams,
    today: date,
    concordance: str = "",
) -> Round:
    peers = list(peers)
    if len(peers) < 2:
        raise DomainError(_("A round needs at least two sites."), code="too_few_sites")
    if params.min_support < SMALL_COUNT:
        # National knots leave every site's analysts: none may rest on fewer than 5.
        raise DomainError(
            _("A national knot needs at least %(n)d deviations.") % {"n": SMALL_COUNT},
            code="min_support",
        )
    national = Round.objects.create(
        key=key, params=asdict(params), today=today, concordance=concordance
    )
    national.peers.set(peers)
    return national


def round_request(
    national: Round, *, identity: Identity, now: datetime | None = None
) -> dict[str, Any]:
    """The signed request for the round's current stage."""
    if national.stage == Round.Stage.DONE:
        raise DomainError(_("The round is finished."), code="round_done")
    body: dict[str, Any] = {
        "stage": national.stage,
        "sites": sorted(national.peers.values_list("name", flat=True)),
    }
    if national.stage == Round.Stage.PROPOSAL:
        body["n_total"] = national.n_total
    if national.stage == Round.Stage.COUNTS:
        body["frequent"] = national.union
        body["level"] = national.level
    if national.stage == Round.Stage.EVIDENCE:
        body["evidence"] = national.evidence_request
    return aggregate_document(
        "request",
        body,
        sender=identity.name,
        signing_private=identity.signing_private,
        agreement_public=agreement_public(identity.agreement_private),
        round_id=national.key,
        catalogue_version=CATALOGUE_VERSION,
        concordance=national.concordance,
        params=params_from_json(national.params),
        created=now or timezone.now(),
    )


@transaction.atomic
def submission_add(national: Round, data: bytes | Mapping[str, Any]) -> Submission:
    """Check a site's document against the round and keep it; refused with the reason."""
    try:
        document = aggregate_load(data) if isinstance(data, bytes) else dict(data)
        peers = {p.name: p for p in national.peers.filter(active=True)}
        trusted = {name: base64.b64decode(p.signing_key) for name, p in peers.items()}
        document = aggregate_verify(document, trusted=trusted)
    except AggregateError as error:
        raise _refused(aggregate_reason(error)) from None
    if document["round"] != national.key:
        raise _refused(_("it belongs to another round"))
    if document["kind"] != national.stage:
        raise _refused(_("the round is at another stage"))
    if document["params"] != national.params:
        raise _refused(_("it was computed with other knot parameters"))
    concordance = document["catalogue"].get("concordance", "")
    if national.concordance and concordance != national.concordance:
        raise _refused(_("the site counted with another version of the concordance"))
    peer = peers[document["sender"]["name"]]
    level = national.level if national.stage == Round.Stage.COUNTS else 0
    if level and document["body"].get("level") != level:
        raise _refused(_("it answers another level of the counts"))
    counted_stage = national.stage in (Round.Stage.COUNTS, Round.Stage.EVIDENCE)
    if counted_stage and document["body"].get("digest") != national.level_digest:
        raise _refused(_("it counted other combinations than this level's"))
    if Submission.objects.filter(
        round=national, peer=peer, kind=national.stage, level=level
    ).exists():
        raise _refused(_("this site has already sent this stage"))
    if not national.concordance:
        national.concordance = concordance
        national.save(update_fields=["concordance"])
    return Submission.objects.create(
        round=national, peer=peer, kind=national.stage, level=level, document=document
    )


def round_waiting_for(national: Round) -> list[Peer]:
    """The sites whose answer to the current stage is missing."""
    level = national.level if national.stage == Round.Stage.COUNTS else 0
    sent = Submission.objects.filter(round=national, kind=national.stage, level=level).values(
        "peer"
    )
    return list(national.peers.exclude(pk__in=sent))


def _gated_as_json(knots: list[GatedKnot]) -> list[dict[str, Any]]:
    return [
        {
            "tags": list(k.tags),
            "support": k.support,
            "expected": k.expected,
            "lift": k.lift,
            "p_value": k.p_value,
            "split": [list(k.split[0]), list(k.split[1])],
        }
        for k in knots
    ]


def _gated_from_json(rows: list[dict[str, Any]]) -> list[GatedKnot]:
    return [
        GatedKnot(
            tags=tuple(r["tags"]),
            support=int(r["support"]),
            expected=float(r["expected"]),
            lift=float(r["lift"]),
            p_value=float(r["p_value"]),
            split=(tuple(r["split"][0]), tuple(r["split"][1])),
        )
        for r in rows
    ]


@transaction.atomic
def round_advance(national: Round) -> bool:
    """When every site has answered the current stage: compute and move to the next one."""
    national = Round.objects.select_for_update().get(pk=national.pk)
    if national.stage == Round.Stage.DONE or round_waiting_for(national):
        return False
    level = national.level if national.stage == Round.Stage.COUNTS else 0
    documents = [
        s.document
        for s in Submission.objects.filter(round=national, kind=national.stage, level=level)
    ]
    params = params_from_json(national.params)
    try:
        if national.stage == Round.Stage.SIZE:
            national.n_total = secure_sum([cells_in(d["body"]["cells"]) for d in documents])["n"]
        elif national.stage == Round.Stage.PROPOSAL:
            tags = {tuple(i) for d in documents for i in d["body"]["itemsets"]}
            national.union = [list(i) for i in sorted(tags)]
            national.profiles = {d["sender"]["name"]: d["body"] for d in documents}
            national.level = 1
            national.level_digest = candidates_digest(level_candidates(1, sorted(tags)))
        elif national.stage == Round.Stage.COUNTS:
            candidates = level_candidates(national.level, [tuple(i) for i in national.union])
            totals = secure_sum_vector([counts_unpacked(d["body"]) for d in documents])
            frequent, cells = level_outcome(
                candidates, totals.tolist(), min_support=params.min_support
            )
            counted = {**national.counted, **cells}
            national.counted = counted
            following = (
                level_candidates(national.level + 1, frequent)
                if national.level < params.max_size
                else []
            )
            if following:  # the next level: stay in this stage
                national.union = [list(i) for i in frequent]
                national.level += 1
                national.level_digest = candidates_digest(following)
                national.save()
                return True
            national.counted = {**counted, "n": national.n_total}
            gated = national_knots(national.counted, params)
            national.gated = _gated_as_json(gated)
            national.union = []
            profiles = [
                SiteProfile(
                    n=1 if p.get("first_month") else 0,
                    first_month=p.get("first_month", ""),
                    last_month=p.get("last_month", ""),
                    municipalities=tuple(p.get("municipalities", [])),
                )
                for p in national.profiles.values()
            ]
            request = EvidenceRequest.for_profiles(
                (k.tags for k in gated),
                profiles,
                today=national.today,
                horizon_days=params.horizon_days,
            )
            national.evidence_request = evidence_request_as_json(request)
            national.level_digest = cells_digest(evidence_cells(request))
        else:
            request = evidence_request_from_json(national.evidence_request)
            names = evidence_cells(request)
            totals = secure_sum_vector([counts_unpacked(d["body"]) for d in documents])
            sums = dict(zip(names, totals.tolist(), strict=True))
            knots = national_evidence_knots(
                _gated_from_json(national.gated), sums, request, params=params
            )
            contributors: dict[tuple[str, ...], list[str]] = {}
            for d in documents:
                for itemset in d["body"].get("contributes", []):
                    contributors.setdefault(tuple(itemset), []).append(d["sender"]["name"])
            national.knots = [
                {**row, "contributors": sorted(contributors.get(tuple(row["tags"]), []))}
                for row in knots_as_json(knots)
            ]
            national.finished_at = timezone.now()
    except ValueError as error:  # the masks did not cancel: a site counted other cells
        raise DomainError(
            _("The sites' numbers do not add up (%(reason)s); start a new round.")
            % {"reason": str(error)[:200]},
            code="round_inconsistent",
        ) from None
    national.stage = (
        STAGES[STAGES.index(national.stage) + 1]
        if national.stage != Round.Stage.EVIDENCE
        else Round.Stage.DONE
    )
    national.save()
    return True


def round_pull(national: Round, *, identity: Identity, fetch: Fetch = post_json) -> dict[str, str]:
    """Fetch the answers from the sites instead of waiting for files: post the current stage's
    request to every waiting site that has an address, keep what comes back, move on, and go on
    stage by stage until the round is done or a site did not answer. Returns, for each site
    that did not, why (in Swedish); empty when the round got as far as it could."""
    fetch = fetch or post_json
    problems: dict[str, str] = {}
    while national.stage != Round.Stage.DONE:
        request = aggregate_bytes(round_request(national, identity=identity))
        for peer in round_waiting_for(national):
            if not peer.url:
                problems[peer.name] = _("the site has no address: send it the request as a file")
                continue
            try:
                submission_add(national, fetch(endpoint(peer.url, ANSWER_PATH), request))
            except TransportError as error:
                problems[peer.name] = str(error)
            except DomainError as error:
                problems[peer.name] = error.message
        if problems or not round_advance(national):
            break
        national.refresh_from_db()
    return problems
