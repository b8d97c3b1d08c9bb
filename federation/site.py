"""This instance (or one organisation within it) as a site: answering a national request.

One function, `site_answer`: it checks the request (signed by a national instance in the
directory), reads the deviations of the site's scope through the one extraction
(analytics.extract), and returns the signed document the stage asks for. Every number in it is
masked (analytics.federation) except the proposal's itemsets (no counts) and the evidence
round's list of knots the site contributes at least SMALL_COUNT deviations to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.aggregates import (
    AggregateError,
    aggregate_document,
    aggregate_verify,
    cells_out,
    counts_packed,
)
from analytics.disclosure import SMALL_COUNT
from analytics.extract import AnalysisFilter, deviation_table
from analytics.federation import (
    EvidenceRequest,
    agreement_public,
    candidates_digest,
    cells_digest,
    evidence_cells,
    level_candidates,
    masked_cells,
    masked_vector,
    pair_key,
    site_evidence,
    site_level_vector,
    site_profile,
    site_tags,
)
from analytics.results import concepts_digest
from analytics.types import KnotParams
from catalogue.models import Forbund
from catalogue.selectors import concepts as catalogue_concepts
from federation.identity import DirectoryEntry, Identity
from federation.models import SiteAnswer

CATALOGUE_VERSION = "knutpunkt-catalogue"


def params_from_json(data: Mapping[str, Any]) -> KnotParams:
    """The knot parameters a document carries; unknown names are refused."""
    names = {f.name for f in fields(KnotParams)}
    if set(data) - names:
        raise AggregateError(f"unknown knot parameters {sorted(set(data) - names)}")
    try:
        return KnotParams(**data)
    except (TypeError, ValueError) as error:
        raise AggregateError(f"knot parameters: {error}") from None


def evidence_request_from_json(data: Mapping[str, Any]) -> EvidenceRequest:
    return EvidenceRequest(
        knots=tuple(tuple(k) for k in data.get("knots", [])),
        months=tuple(data.get("months", [])),
        municipalities=tuple(data.get("municipalities", [])),
        today=date.fromisoformat(str(data.get("today"))),
        horizon_days=int(data.get("horizon_days", KnotParams().horizon_days)),
    )


def evidence_request_as_json(request: EvidenceRequest) -> dict[str, Any]:
    return {
        "knots": [list(k) for k in request.knots],
        "months": list(request.months),
        "municipalities": list(request.municipalities),
        "today": request.today.isoformat(),
        "horizon_days": request.horizon_days,
    }


def _document(
    kind: str,
    body: Mapping[str, Any],
    *,
    identity: Identity,
    round_id: str,
    params: KnotParams,
    concordance: str,
    now: datetime,
) -> dict[str, Any]:
    return aggregate_document(
        kind,
        body,
        sender=identity.name,
        signing_private=identity.signing_private,
        agreement_public=agreement_public(identity.agreement_private),
        round_id=round_id,
        catalogue_version=CATALOGUE_VERSION,
        concordance=concordance,
        params=params,
        created=now,
    )


def site_answer(
    request: Mapping[str, Any],
    *,
    identity: Identity,
    directory: Mapping[str, DirectoryEntry],
    organisation: Forbund | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed document this site sends for the request's stage. Raises AggregateError
    with the reason when the request cannot be answered."""
    return _answer(
        request_checked(request, directory=directory),
        identity=identity,
        directory=directory,
        organisation=organisation,
        now=now,
    )


def request_checked(
    request: Mapping[str, Any], *, directory: Mapping[str, DirectoryEntry]
) -> dict[str, Any]:
    """A request signed by a national instance of this site's directory, or AggregateError."""
    national = {name: e.signing_key for name, e in directory.items() if e.national}
    checked = aggregate_verify(request, trusted=national)
    if checked["kind"] != "request":
        raise AggregateError("not a request", code="format")
    return checked


def _answer(
    checked: dict[str, Any],
    *,
    identity: Identity,
    directory: Mapping[str, DirectoryEntry],
    organisation: Forbund | None,
    now: datetime | None,
) -> dict[str, Any]:
    body = checked["body"]
    params = params_from_json(checked["params"])
    round_id = str(checked["round"])
    sites = list(body["sites"])
    if identity.name not in sites:
        raise AggregateError("this site does not take part in the round", code="not_participant")
    unknown = [name for name in sites if name not in directory and name != identity.name]
    if unknown:
        raise AggregateError(
            f"sites not in this site's directory: {unknown[:5]}", code="unknown_sites"
        )
    keys = {
        name: pair_key(identity.agreement_private, directory[name].agreement_key)
        for name in sites
        if name != identity.name
    }
    concepts = catalogue_concepts()
    concordance = concepts_digest(concepts)
    scope = AnalysisFilter(organisations=(organisation.slug,)) if organisation else AnalysisFilter()
    table = deviation_table(scope)
    stage = body["stage"]
    now = now or timezone.now()
    answer: dict[str, Any]
    if stage == "size":
        cells = masked_cells(
            {"n": len(table)}, site=identity.name, pair_keys=keys, round_id=f"{round_id}:size"
        )
        answer = {"cells": cells_out(cells)}
    elif stage == "proposal":
        profile = site_profile(table.on_concepts(concepts) if concepts else table)
        answer = {
            "itemsets": [[tag] for tag in sorted(site_tags(table, concepts=concepts))],
            "first_month": profile.first_month,
            "last_month": profile.last_month,
            "municipalities": list(profile.municipalities),
        }
    elif stage == "counts":
        level = body.get("level")
        if not isinstance(level, int):
            raise AggregateError("the request names no level", code="shape")
        candidates = level_candidates(level, [tuple(i) for i in body.get("frequent", [])])
        vector = site_level_vector(table, candidates, params=params, concepts=concepts)
        answer = {
            "level": level,
            "candidates": len(candidates),
            "digest": candidates_digest(candidates),
            "counts": counts_packed(
                masked_vector(
                    vector,
                    site=identity.name,
                    pair_keys=keys,
                    round_id=f"{round_id}:counts:{level}",
                )
            ),
        }
    else:
        evidence = evidence_request_from_json(body.get("evidence") or {})
        try:
            plain = site_evidence(table, evidence, concepts=concepts)
        except ValueError as error:  # deviations outside the months the round asked for
            raise AggregateError(str(error), code="stale") from None
        contributes = [
            list(knot)
            for knot in evidence.knots
            if sum(plain[f"{'|'.join(knot)}#m:{m}"] for m in evidence.months) >= SMALL_COUNT
        ]
        names = evidence_cells(evidence)
        vector = np.array([plain[name] for name in names], dtype=np.int64)
        answer = {
            "contributes": contributes,
            "candidates": len(names),
            "digest": cells_digest(names),
            "counts": counts_packed(
                masked_vector(
                    vector, site=identity.name, pair_keys=keys, round_id=f"{round_id}:evidence"
                )
            ),
        }
    return _document(
        stage,
        answer,
        identity=identity,
        round_id=round_id,
        params=params,
        concordance=concordance,
        now=now,
    )


def site_answer_kept(
    request: Mapping[str, Any],
    *,
    identity: Identity,
    directory: Mapping[str, DirectoryEntry],
    organisation: Forbund | None = None,
) -> dict[str, Any]:
    """`site_answer`, once per stage: a request asked again (a retry, a pull after an upload,
    or a replay) gets the document already sent. Every path that answers goes through here."""
    checked = request_checked(request, directory=directory)
    body = checked["body"]
    stage = str(body.get("stage", ""))
    level = body.get("level") if stage == "counts" else 0
    key = {
        "site": identity.name,
        "national": checked["sender"]["name"],
        "round_key": str(checked["round"])[:64],
        "stage": stage[:16],
        "level": level if isinstance(level, int) and 0 <= level < 2**15 else 0,
    }
    kept = SiteAnswer.objects.filter(**key).first()
    if kept is not None:
        return kept.document
    answer = _answer(
        checked, identity=identity, directory=directory, organisation=organisation, now=None
    )
    try:
        with transaction.atomic():
            SiteAnswer.objects.create(**key, document=answer)
    except IntegrityError:  # answered by a parallel request a moment ago: that one stands
        return SiteAnswer.objects.get(**key).document
    return answer


def params_as_json(params: KnotParams) -> dict[str, Any]:
    return asdict(params)
