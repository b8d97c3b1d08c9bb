"""How the tagger's rules are named to people: internal rule ids stay in data and the API,
people read a translated name. Unknown rules (older data, a rule added later) show as stored."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.tagging.engine import (
    RULE_AGENCY,
    RULE_IMPLIED,
    RULE_LAW_ABBREVIATION,
    RULE_LAW_NAME,
    RULE_REF,
    RULE_SFS,
    RULE_TERM,
)

_RULE_LABELS: dict[str, Promise] = {
    RULE_SFS: _("SFS number"),
    RULE_LAW_ABBREVIATION: _("law abbreviation"),
    RULE_LAW_NAME: _("law name"),
    RULE_IMPLIED: _("implied by provision"),
    RULE_TERM: _("everyday term"),
    RULE_AGENCY["name"]: _("agency name"),
    RULE_AGENCY["abbreviation"]: _("agency abbreviation"),
    RULE_AGENCY["subunit"]: _("agency unit or role"),
    RULE_AGENCY["context"]: _("agency word in context"),
    "same law": _("same law"),  # a reference to the law named just before
    "earlier law in text": _("earlier law in the text"),
    "later law in sentence": _("later law in the sentence"),
    "imported": _("imported"),
    "added in triage": _("added in triage"),
    "added by the reporter": _("added by the reporter"),
}
_REF_PREFIX = RULE_REF.split("{", 1)[0]  # "chapter-section + "


def rule_label(rule: str) -> str:
    """The rule behind a tag in the reader's language: "agency name" → "myndighetsnamn"."""
    if rule.startswith(_REF_PREFIX):
        how = rule[len(_REF_PREFIX) :]
        return gettext("chapter and section + %(how)s") % {"how": rule_label(how)}
    label = _RULE_LABELS.get(rule)
    return str(label) if label is not None else rule
