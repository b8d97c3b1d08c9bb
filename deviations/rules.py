"""The one definition of each deviation field rule, used by every way in.

The filing form, the API, the import, the admin and triage all call these functions, so a limit
or a check cannot drift between entry points (docs/architecture.md, "Filing"). Each check raises
a `FieldRuleError`: an already translated message, a stable `code` and the field it is about.
Each entry point turns that into its own shape (a form error, a 400, a row of the import report).

Description length: one maximum, 20,000 characters, for typed and imported text alike. The
import has always accepted that much, so a lower limit would make history imports that passed
before fail; the form and the API used to stop at 5,000, and one limit has to fit both. The
minimum of 20 characters applies to typed text only (form, API): it prompts a person to say what
happened. An imported record, or one an administrator corrects, was written elsewhere and cannot
be made longer by whoever handles it now, so refusing it would only lose the case.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from django.db.models import Choices
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Municipality
from catalogue.selectors import tag_choices
from catalogue.tagids import is_tag_id, parse_tag_id
from core.errors import DomainError
from deviations.models import (
    QUOTE_MAX_CHARS,
    AgeBand,
    Category,
    Consequence,
    Gender,
    Severity,
    Unit,
)

DESCRIPTION_MAX_CHARS = 20_000
DESCRIPTION_MIN_CHARS = 20  # typed text only, see the module docstring
EARLIEST_EVENT_DATE = date(2000, 1, 1)  # the form's old rule; earlier dates are typing slips
DATE_FORMAT_MESSAGE = gettext_lazy("Write the date as YYYY-MM-DD.")
DESCRIPTION_REQUIRED_MESSAGE = gettext_lazy("Describe what happened.")
CHOICES: dict[str, type[Choices]] = {
    "category": Category,
    "consequence": Consequence,
    "severity": Severity,
    "gender": Gender,
    "age_band": AgeBand,
}
SHOWN_AT_MOST = 5  # offending tags named in one message
# The years the tagger reads as SFS numbers (catalogue/tagging/references.py): a wider range
# here would let nonsense in, a narrower one would let a suggestion block a submission.
SFS_YEARS = range(1600, 2100)
_ALLOWED = {name: [str(value) for value in choices.values] for name, choices in CHOICES.items()}


class FieldRuleError(DomainError):
    """A value breaks a field rule; `field` names the field the message belongs to."""

    def __init__(self, message: str, *, code: str, field: str) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.args = (f"{field}: {self.message}",)  # logs and batch callers see which field


def check_description(text: str, *, typed: bool) -> None:
    """Refuse an empty or too long description, and a too short one that a person typed."""
    if not text.strip():
        raise FieldRuleError(
            str(DESCRIPTION_REQUIRED_MESSAGE), code="required", field="description"
        )
    if len(text) > DESCRIPTION_MAX_CHARS:
        raise FieldRuleError(
            _("Describe what happened in at most %(limit)s characters; this text has %(length)s.")
            % {
                "limit": number_format(DESCRIPTION_MAX_CHARS, force_grouping=True),
                "length": number_format(len(text), force_grouping=True),
            },
            code="too_long",
            field="description",
        )
    if typed and len(text) < DESCRIPTION_MIN_CHARS:
        raise FieldRuleError(
            _("Write at least %(limit_value)d characters about what happened.")
            % {"limit_value": DESCRIPTION_MIN_CHARS},
            code="too_short",
            field="description",
        )


def check_quote(quote: str, *, consent: bool) -> None:
    """The participant's own words need their consent; the length is the field's."""
    if quote.strip() and not consent:
        raise FieldRuleError(
            _("The participant's words can be kept only if they agreed: tick that they did."),
            code="consent_required",
            field="participant_consent",
        )
    if len(quote) > QUOTE_MAX_CHARS:
        raise FieldRuleError(
            _(
                "Keep the participant's words to at most %(limit)s characters; "
                "these have %(length)s."
            )
            % {"limit": QUOTE_MAX_CHARS, "length": len(quote)},
            code="too_long",
            field="participant_quote",
        )


def check_occurred_on(value: date, *, today: date | None = None) -> None:
    """Refuse event dates before the oldest records and dates that have not happened yet."""
    if value < EARLIEST_EVENT_DATE:
        raise FieldRuleError(
            _("Give a date on or after %(earliest)s.")
            % {"earliest": EARLIEST_EVENT_DATE.isoformat()},
            code="date_too_early",
            field="occurred_on",
        )
    if value > (today or timezone.localdate()):
        raise FieldRuleError(
            _("The event date cannot be in the future."), code="future_date", field="occurred_on"
        )


def check_choice(name: str, value: str | int | None) -> None:
    """Refuse a value outside the field's choice list; an empty value is left to `required`."""
    if value is None or value == "":
        return
    allowed = _ALLOWED[name]
    if str(value) not in allowed:
        raise FieldRuleError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": str(value)[:40], "choices": ", ".join(allowed)},
            code="invalid_choice",
            field=name,
        )


def check_tag_syntax(tag_ids: Iterable[str]) -> None:
    """Refuse malformed tag ids (docs/contracts.md §1); the catalogue is not consulted."""
    malformed = [tag for tag in tag_ids if not is_tag_id(tag)]
    if malformed:
        raise FieldRuleError(
            _(
                "Not a valid tag: %(tags)s. Tags are written like agency:FK, law:2010:110 or "
                "prov:2010:110#K27P48."
            )
            % {"tags": _named(malformed)},
            code="invalid_tag",
            field="tags",
        )


def tag_is_known(tag_id: str, *, known: Collection[str]) -> bool:
    """In the catalogue, or any law or provision reference (the open world, docs/tagging.md):
    a reference the catalogue has not listed yet is created unconfirmed on first use. Only an
    agency must already be in the catalogue."""
    return tag_id in known or parse_tag_id(tag_id).kind != "agency"


def check_sfs_plausible(tag_ids: Iterable[str]) -> None:
    """Refuse an SFS year the tagger would never read as one (see `SFS_YEARS`)."""
    wrong = [
        tag
        for tag in tag_ids
        if (sfs := parse_tag_id(tag).sfs) and int(sfs.split(":")[0]) not in SFS_YEARS
    ]
    if wrong:
        raise FieldRuleError(
            _(
                "Not an SFS number: %(tags)s. An SFS number is a year from %(first)s to "
                "%(last)s and a number, e.g. 2010:110."
            )
            % {"tags": _named(wrong), "first": SFS_YEARS[0], "last": SFS_YEARS[-1]},
            code="invalid_tag",
            field="tags",
        )


def check_tags(tag_ids: Iterable[str], *, known: Collection[str] | None = None) -> None:
    """Refuse malformed tags and impossible SFS numbers, then agencies the catalogue does not
    know. Any law or provision reference passes: it is added to the catalogue unconfirmed."""
    tags = list(tag_ids)
    check_tag_syntax(tags)
    check_sfs_plausible(tags)
    catalogue = tag_choices() if known is None else known
    unknown = [tag for tag in tags if not tag_is_known(tag, known=catalogue)]
    if unknown:
        raise FieldRuleError(
            _("Unknown agency: %(tags)s. Choose an agency from the catalogue.")
            % {"tags": _named(unknown)},
            code="unknown_tag",
            field="tags",
        )


def check_place(*, unit: Unit, municipality: Municipality) -> None:
    """A unit files only for the municipalities it works in."""
    if not unit.municipalities.filter(pk=municipality.pk).exists():
        raise FieldRuleError(
            _("%(unit)s does not work in %(municipality)s.")
            % {"unit": unit, "municipality": municipality},
            code="municipality_outside_unit",
            field="municipality",
        )


def _named(tags: list[str]) -> str:
    return ", ".join(tag[:64] for tag in tags[:SHOWN_AT_MOST])
