"""The files federated knot analysis exchanges (analytics.federation): versioned, self-describing
and signed, so the receiver knows who sent one and that it is whole.

A document is JSON: `format`, `version`, `kind` (the round: `size`, `proposal`, `counts`,
`evidence`), `round`, `created`, `sender` (name and public keys), `catalogue` (catalogue version
and a digest of the concordance the counts were made with), `params` (the knot parameters that
shape the counts) and `body`, signed with the sender's Ed25519 key over the canonical JSON of
everything else. Masked numbers are written as decimal strings (they use 64 bits, more than
JSON readers keep exactly). No free text, no references, no reporter, no unit: the body holds
tag ids, months, municipality codes and masked numbers only (`aggregate_check_body`). The one
exception goes the other way: a `notice` from the national instance carries a national barrier's
title, description and decisions, texts written there for the sites to read (the receiving
site's personal-data gate checks them like any other text it stores).

Pure: no Django; the national mode's pages and API read and write these documents.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

import numpy as np
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from analytics.types import KnotParams

FORMAT = "knutpunkt-aggregate"
VERSION = 1
# request: the national's ask; notice: a national barrier told back to its contributing sites
KINDS = ("size", "proposal", "counts", "evidence", "request", "notice")
MAX_BYTES = 200 * 1024 * 1024
# What a body may contain: tag ids, months, municipality codes, cell names and masked numbers.
_TAG = (  # docs/contracts.md §1, as catalogue.tagids checks them
    r"(?:agency:[A-Z][A-Z_]*|law:\d{4}:\d{1,5}|prov:\d{4}:\d{1,5}#(?:K\d+[a-z]?)?(?:P\d+[a-z]?)?)"
)
_CELL = re.compile(
    rf"^(?:n|R|Q|t:{_TAG}|s:{_TAG}(?:\|{_TAG})*|{_TAG}(?:\|{_TAG})*#(?:m:\d{{4}}-\d{{2}}|p:\d{{4}}|[uawrq]))$"
)
_NUMBER = re.compile(r"^\d{1,20}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_MUNICIPALITY = re.compile(r"^\d{4}$")
_TAG_ONLY = re.compile(rf"^{_TAG}$")


class AggregateError(ValueError):
    """A document that cannot be used; the message says why in English (for the operator's
    log), `code` which reason it is (the edge says it in Swedish: federation.national)."""

    def __init__(self, message: str, code: str = "shape") -> None:
        super().__init__(message)
        self.code = code


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: object, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        raise AggregateError(f"{what} is not base64") from None


def signing_key_new() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes_raw()


def signing_public(private: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8, the signature left out."""
    unsigned = {key: value for key, value in document.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def aggregate_document(
    kind: str,
    body: Mapping[str, Any],
    *,
    sender: str,
    signing_private: bytes,
    agreement_public: bytes,
    round_id: str,
    catalogue_version: str,
    concordance: str,
    params: KnotParams,
    created: datetime,
) -> dict[str, Any]:
    if kind not in KINDS:
        raise AggregateError(f"unknown kind {kind!r}")
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "round": round_id,
        "created": created.isoformat(),
        "sender": {
            "name": sender,
            "signing_key": _b64(signing_public(signing_private)),
            "agreement_key": _b64(agreement_public),
        },
        "catalogue": {"version": catalogue_version, "concordance": concordance},
        "params": asdict(params),
        "body": dict(body),
    }
    aggregate_check_body(kind, document["body"])
    signature = Ed25519PrivateKey.from_private_bytes(signing_private).sign(canonical(document))
    document["signature"] = _b64(signature)
    return document


def aggregate_bytes(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1).encode()


def aggregate_load(data: bytes) -> dict[str, Any]:
    """The document in a file, not yet trusted (`aggregate_verify` next)."""
    if len(data) > MAX_BYTES:
        raise AggregateError(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", code="too_large"
        )
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AggregateError(f"not a JSON document: {error}", code="not_json") from None
    if not isinstance(document, dict):
        raise AggregateError("not an aggregate document", code="not_json")
    return document


def aggregate_verify(
    document: Mapping[str, Any], *, trusted: Mapping[str, bytes]
) -> dict[str, Any]:
    """The document checked: our format and version, a sender we know (`trusted`: name → the
    Ed25519 public key registered for it), the key it names being that one, a signature over
    the whole document, and a body of the allowed shape. Returns the document."""
    if document.get("format") != FORMAT:
        raise AggregateError("not a Knutpunkt aggregate", code="format")
    if document.get("version") != VERSION:
        raise AggregateError(
            f"version {document.get('version')!r} is not supported", code="version"
        )
    sender = document.get("sender")
    if not isinstance(sender, dict) or not isinstance(sender.get("name"), str):
        raise AggregateError("the sender is missing", code="sender")
    name = sender["name"]
    if name not in trusted:
        raise AggregateError(f"unknown sender {name[:60]!r}", code="sender")
    key = _unb64(sender.get("signing_key"), "the signing key")
    if key != trusted[name]:
        raise AggregateError(
            f"the signing key is not the one registered for {name[:60]!r}", code="key"
        )
    signature = _unb64(document.get("signature"), "the signature")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, canonical(document))
    except (InvalidSignature, ValueError):
        raise AggregateError(
            "the signature does not match: the file was changed or cut", code="signature"
        ) from None
    kind = document.get("kind")
    if kind not in KINDS:
        raise AggregateError(f"unknown kind {kind!r}")
    aggregate_check_body(str(kind), document.get("body"))
    return dict(document)


def aggregate_check_body(kind: str, body: object) -> None:
    """Only what the method needs, of the allowed shapes: never a text, reference or unit."""
    if not isinstance(body, dict):
        raise AggregateError("the body is not an object")
    if kind in ("counts", "evidence"):
        _check_counts(body, kind)
        return
    if kind == "size":
        allowed = {"cells"}
        if set(body) - allowed:
            raise AggregateError(f"unexpected fields {sorted(set(body) - allowed)}")
        cells = body.get("cells")
        if not isinstance(cells, dict):
            raise AggregateError("the cells are missing")
        for cell, value in cells.items():
            if not _CELL.match(str(cell)) or not _NUMBER.match(str(value)):
                raise AggregateError(f"a cell of an unknown shape: {str(cell)[:80]!r}")
        for itemset in body.get("contributes", []):
            _check_itemset(itemset)
        return
    if kind == "request":
        _check_request(body)
        return
    if kind == "notice":
        _check_notice(body)
        return
    if set(body) - {"itemsets", "first_month", "last_month", "municipalities"}:
        raise AggregateError("unexpected fields in the proposal")
    for itemset in body.get("itemsets", []):
        _check_itemset(itemset)
    for month in (body.get("first_month", ""), body.get("last_month", "")):
        if month and not _MONTH.match(str(month)):
            raise AggregateError("a month of an unknown shape")
    for code in body.get("municipalities", []):
        if not _MUNICIPALITY.match(str(code)):
            raise AggregateError("a municipality code of an unknown shape")


def _check_counts(body: Mapping[str, Any], kind: str = "counts") -> None:
    """A level's counts (or the evidence round's cells): the level (the knots a site
    contributes at least 5 deviations to), how many numbers and the digest of what they count
    (so both sides know they counted the same list), and the masked numbers packed as
    little-endian 64-bit numbers in that order, base64."""
    first = "level" if kind == "counts" else "contributes"
    if set(body) != {first, "candidates", "digest", "counts"}:
        raise AggregateError("the counts have unexpected or missing fields")
    if kind == "counts" and body["level"] not in range(1, 6):
        raise AggregateError("a level of an unknown shape")
    if kind == "evidence":
        if not isinstance(body["contributes"], list):
            raise AggregateError("the contributions are not a list")
        for itemset in body["contributes"]:
            _check_itemset(itemset)
    if not isinstance(body["candidates"], int) or body["candidates"] < 0:
        raise AggregateError("the number of candidates is not a count")
    if not isinstance(body["digest"], str) or not _DIGEST.match(body["digest"]):
        raise AggregateError("the candidates' digest is of an unknown shape")
    packed = _unb64(body["counts"], "the counts")
    if len(packed) != 8 * body["candidates"]:
        raise AggregateError("the counts do not match the number of candidates")


def counts_packed(values: np.ndarray) -> str:
    """Masked counts (a numpy uint64 array) for a counts body."""
    return base64.b64encode(values.astype("<u8").tobytes()).decode("ascii")


def counts_unpacked(body: Mapping[str, Any]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(body["counts"]), dtype="<u8")


def _check_request(body: Mapping[str, Any]) -> None:
    """The national instance's request: the stage, the sites taking part (names), and what the
    stage needs — the national total, the union of candidates, the evidence cells."""
    if set(body) - {"stage", "sites", "n_total", "frequent", "level", "evidence"}:
        raise AggregateError("unexpected fields in the request")
    if body.get("stage") not in ("size", "proposal", "counts", "evidence"):
        raise AggregateError("the request names no stage")
    sites = body.get("sites")
    if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites) or not sites:
        raise AggregateError("the request names no sites")
    n_total = body.get("n_total")
    if n_total is not None and not (isinstance(n_total, int) and n_total >= 0):
        raise AggregateError("the national total is not a count")
    for itemset in body.get("frequent", []):
        _check_itemset(itemset)
    if "level" in body and body["level"] not in range(1, 6):
        raise AggregateError("a level of an unknown shape")
    evidence = body.get("evidence") or {}
    if not isinstance(evidence, dict) or set(evidence) - {
        "knots",
        "months",
        "municipalities",
        "today",
        "horizon_days",
    }:
        raise AggregateError("unexpected fields in the evidence request")
    for itemset in evidence.get("knots", []):
        _check_itemset(itemset)
    if not all(_MONTH.match(str(m)) for m in evidence.get("months", [])):
        raise AggregateError("a month of an unknown shape")
    if not all(_MUNICIPALITY.match(str(c)) for c in evidence.get("municipalities", [])):
        raise AggregateError("a municipality code of an unknown shape")


_STATUS = re.compile(r"^[a-z_]{1,16}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NOTICE_TEXT_MAX = 20_000


def _text(value: object, what: str, limit: int = NOTICE_TEXT_MAX) -> None:
    if not isinstance(value, str) or len(value) > limit:
        raise AggregateError(f"{what}: not a text of at most {limit} characters")


def _check_notice(body: Mapping[str, Any]) -> None:
    """A national barrier as its contributing sites see it: reference, texts, status, tags,
    the national knot's published figures and the decisions taken on it."""
    allowed = {"reference", "title", "description", "status", "tags", "knot", "decisions"}
    if set(body) - allowed:
        raise AggregateError(f"unexpected fields {sorted(set(body) - allowed)}")
    if not _REFERENCE.match(str(body.get("reference", ""))):
        raise AggregateError("the national barrier's reference is missing")
    _text(body.get("title"), "title", 300)
    _text(body.get("description", ""), "description")
    if not _STATUS.match(str(body.get("status", ""))):
        raise AggregateError("a status of an unknown shape")
    tags = body.get("tags", [])
    if not isinstance(tags, list) or any(not _TAG_ONLY.match(str(t)) for t in tags):
        raise AggregateError("a tag of an unknown shape")
    knot = body.get("knot", {})
    if not isinstance(knot, dict) or set(knot) - {"support", "municipalities", "lift", "round"}:
        raise AggregateError("the national knot's figures are of an unknown shape")
    for name in ("support", "municipalities"):  # None: fewer than 5, not shown
        value = knot.get(name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise AggregateError(f"the knot's {name} is not a count")
    if "lift" in knot and not isinstance(knot["lift"], (int, float)):
        raise AggregateError("the knot's lift is not a number")
    if "round" in knot and not _REFERENCE.match(str(knot["round"])):
        raise AggregateError("the knot's round is of an unknown shape")
    decisions = body.get("decisions", [])
    if not isinstance(decisions, list):
        raise AggregateError("the decisions are not a list")
    fields = {"kind", "text", "action", "owner", "decided_on", "group"}
    for decision in decisions:
        if not isinstance(decision, dict) or set(decision) - fields:
            raise AggregateError("a decision of an unknown shape")
        if not _STATUS.match(str(decision.get("kind", ""))):
            raise AggregateError("a decision of an unknown kind")
        if not _DAY.match(str(decision.get("decided_on", ""))):
            raise AggregateError("a decision without its day")
        for name in ("text", "action"):
            _text(decision.get(name, ""), name)
        for name in ("owner", "group"):
            _text(decision.get(name, ""), name, 200)


def _check_itemset(itemset: object) -> None:
    if not isinstance(itemset, list) or not 1 <= len(itemset) <= 5:
        raise AggregateError("an itemset of an unknown shape")
    for tag in itemset:
        if not isinstance(tag, str) or not _TAG_ONLY.match(tag):
            raise AggregateError(f"a tag of an unknown shape: {str(tag)[:80]!r}")


def cells_out(cells: Mapping[str, int]) -> dict[str, str]:
    """Masked numbers as decimal strings, for the body."""
    return {cell: str(value) for cell, value in sorted(cells.items())}


def cells_in(cells: Mapping[str, str]) -> dict[str, int]:
    return {cell: int(value) for cell, value in cells.items()}
