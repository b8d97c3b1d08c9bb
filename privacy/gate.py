"""The personal-data gate: no row of Knutpunkt's own tables is written with personal data.

One check for every path. Services, forms and the import call `personal_data_check` to refuse
with a clear message before they write; `instance_check` runs on every save of every model of
the project's apps (connected in `PrivacyConfig.ready()`), so a path that forgets, the admin or
a job included, still cannot store it. Only blocking findings count here: a possible name is a
warning that people confirm where they type (deviations' description).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import PersonalDataError
from privacy.pii import find_pii

PII_LABELS = {
    "personnummer": gettext_lazy("personal identity number"),
    "samordningsnummer": gettext_lazy("co-ordination number"),
    "phone": gettext_lazy("phone number"),
    "email": gettext_lazy("e-mail address"),
    "address": gettext_lazy("street address"),
    "name": gettext_lazy("possible name"),
}

# Reviewed exceptions, "app.Model" or "app.Model.field" with the reason, registered by the app
# that owns the model (`gate_exempt` from its `ready()`). A new text field anywhere else is gated
# without anyone having to remember it (tests/privacy/test_gate.py).
EXEMPT: dict[str, str] = {}


def gate_exempt(model: type[models.Model], *, reason: str, field: str = "") -> None:
    """Leave a model (or one of its fields) out of the gate, saying why (from `ready()`, before
    any row is saved)."""
    _gated_fields_of.cache_clear()
    EXEMPT[f"{model._meta.label}.{field}" if field else model._meta.label] = reason


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def personal_data_check(values: Mapping[str, Any]) -> None:
    """Refuse if any value (a string, or the strings inside JSON) holds personal data. The
    message names the fields and the kinds of data, never the data itself."""
    found: dict[str, set[str]] = {}
    for field, value in values.items():
        for text in _strings(value):
            for hit in find_pii(text):
                if hit.blocking:
                    found.setdefault(field, set()).add(str(PII_LABELS[hit.type]))
    if found:
        raise PersonalDataError(
            _("%(fields)s may not hold personal data (%(kinds)s). Remove it; nothing was saved.")
            % {
                "fields": ", ".join(f"“{field}”" for field in found),
                "kinds": ", ".join(sorted({kind for kinds in found.values() for kind in kinds})),
            },
            fields=sorted(found),
        )


def file_text_check(text: str) -> None:
    """The text read from an attached file (core.attachments): the same detector and the same
    blocking findings as every field, with a message about the file, never its content."""
    kinds = sorted({str(PII_LABELS[hit.type]) for hit in find_pii(text) if hit.blocking})
    if kinds:
        raise PersonalDataError(
            _(
                "The file holds personal data (%(kinds)s). Remove it from the file and attach "
                "the file again; nothing was saved."
            )
            % {"kinds": ", ".join(kinds)},
            fields=["file"],
        )


def gated_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields of a model that the gate reads: every text or JSON field of the project's own
    apps, except reviewed exemptions and the audit history (a copy of gated rows)."""
    meta = model._meta
    app = meta.app_config
    if app is None or Path(app.path).parent != Path(settings.BASE_DIR):
        return []
    if meta.label in EXEMPT or meta.object_name.startswith("Historical"):
        return []
    return [
        field
        for field in meta.concrete_fields
        if isinstance(field, TEXT_FIELDS)
        and not field.choices
        and f"{meta.label}.{field.name}" not in EXEMPT
    ]


@cache
def _gated_fields_of(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return gated_fields(model)


def instance_check(instance: models.Model) -> None:
    """Refuse to write a row holding personal data in any gated field (labels as people see
    them on the form). The fields are worked out once per model: every save comes here."""
    fields = _gated_fields_of(type(instance))
    row_check(type(instance), {field.attname: getattr(instance, field.attname) for field in fields})


def row_check(model: type[models.Model], row: Mapping[str, Any]) -> None:
    """`instance_check` for a row given as attribute names and values (inserts without an
    instance, core.rows): the same gated fields, the same refusal."""
    fields = [field for field in _gated_fields_of(model) if field.attname in row]
    values = [row[field.attname] for field in fields]
    if any(hit.blocking for value in values for text in _strings(value) for hit in find_pii(text)):
        # Labels only for the message: translating them for every clean row cost an import 5 %.
        personal_data_check(
            {str(field.verbose_name): value for field, value in zip(fields, values, strict=True)}
        )


def on_pre_save(sender: type[models.Model], instance: models.Model, raw: bool, **_: Any) -> None:
    if not raw:  # loaddata restores a backup as it was
        instance_check(instance)
