"""Who this instance is in the federation, and whom it trusts: two files, kept by the operator.

The identity file (FEDERATION_IDENTITY_FILE, made by `manage.py federation_keys`) holds this
instance's name and private keys; the directory file (FEDERATION_DIRECTORY_FILE) the public keys
of every site and of the national instance, exchanged out of band. A site takes the other sites'
mask keys from its own directory, never from a request: a national instance that swapped keys
could otherwise unmask a site's counts.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from analytics.aggregates import signing_key_new, signing_public
from analytics.federation import agreement_key_new, agreement_public


class DirectoryError(ValueError):
    """An identity or directory file that cannot be used (English: for the operator)."""


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    signing_private: bytes
    agreement_private: bytes

    @property
    def entry(self) -> DirectoryEntry:
        """This instance as others list it in their directory."""
        return DirectoryEntry(
            name=self.name,
            label=self.name,
            signing_key=signing_public(self.signing_private),
            agreement_key=agreement_public(self.agreement_private),
        )


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    name: str
    label: str
    signing_key: bytes
    agreement_key: bytes
    national: bool = False
    url: str = ""  # the instance's address, where the national instance reaches it

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "label": self.label,
            "signing_key": base64.b64encode(self.signing_key).decode(),
            "agreement_key": base64.b64encode(self.agreement_key).decode(),
            "national": self.national,
            **({"url": self.url} if self.url else {}),
        }


def identity_new(name: str) -> Identity:
    return Identity(
        name=name, signing_private=signing_key_new(), agreement_private=agreement_key_new()
    )


def identity_as_json(identity: Identity) -> dict[str, str]:
    return {
        "name": identity.name,
        "signing_private": base64.b64encode(identity.signing_private).decode(),
        "agreement_private": base64.b64encode(identity.agreement_private).decode(),
    }


def _key(raw: object, what: str) -> bytes:
    try:
        key = base64.b64decode(str(raw), validate=True)
    except ValueError:
        raise DirectoryError(f"{what} is not base64") from None
    if len(key) != 32:
        raise DirectoryError(f"{what} is not a 32-byte key")
    return key


def identity_from_json(data: Mapping[str, object]) -> Identity:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DirectoryError("the identity has no name")
    return Identity(
        name=name,
        signing_private=_key(data.get("signing_private"), "signing_private"),
        agreement_private=_key(data.get("agreement_private"), "agreement_private"),
    )


def directory_from_json(data: object) -> dict[str, DirectoryEntry]:
    if not isinstance(data, list):
        raise DirectoryError("the directory is not a list of sites")
    entries: dict[str, DirectoryEntry] = {}
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise DirectoryError("a directory entry without a name")
        name = item["name"]
        if name in entries:
            raise DirectoryError(f"{name!r} is listed twice")
        entries[name] = DirectoryEntry(
            name=name,
            label=str(item.get("label") or name),
            signing_key=_key(item.get("signing_key"), f"{name}: signing_key"),
            agreement_key=_key(item.get("agreement_key"), f"{name}: agreement_key"),
            national=bool(item.get("national", False)),
            url=_url(item.get("url", ""), name),
        )
    return entries


def _url(raw: object, name: str) -> str:
    url = str(raw or "").strip()
    if url and not url.startswith(("https://", "http://")):
        raise DirectoryError(f"{name}: url must start with https:// (or http:// on loopback)")
    return url


def _read_json(path: str | Path) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DirectoryError(f"{path}: {error}") from None


def identity_load(path: str | Path) -> Identity:
    data = _read_json(path)
    if not isinstance(data, dict):
        raise DirectoryError(f"{path}: not an identity")
    return identity_from_json(data)


def directory_load(path: str | Path) -> dict[str, DirectoryEntry]:
    return directory_from_json(_read_json(path))
