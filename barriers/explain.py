"""A stored route (routing.Route.as_dict()) as sentences people read, in the active language.

Routes are stored as codes and parameters, so the dossier, the inbox and the API can explain
them in Swedish or English long after they were proposed; this module is the one place that
turns them into text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from barriers.models import Escalation, MandateLevel, SteeringGroup
from catalogue.models import Agency, Municipality


@dataclass(frozen=True, slots=True)
class RouteLine:
    """One group considered: its name, whether it qualified, and why it was (not) chosen."""

    group: str
    qualifies: bool
    chosen: bool
    text: str


class _Names:
    """Readable names for the slugs and codes in one route, fetched once."""

    def __init__(self, route: Mapping[str, Any]) -> None:
        considered = route.get("considered", [])
        slugs = {c["group"] for c in considered} | {
            str(value)
            for reason in [route.get("reason", {}), *(r for c in considered for r in c["reasons"])]
            for key, value in reason.get("params", {}).items()
            if key in ("group", "current", "above", "chosen")
        }
        self.groups = dict(SteeringGroup.objects.filter(slug__in=slugs).values_list("slug", "name"))
        self._municipalities: dict[str, str] | None = None
        self._agencies: dict[str, str] | None = None

    def group(self, slug: object) -> str:
        return self.groups.get(str(slug), str(slug))

    def municipalities(self, codes: Iterable[str]) -> str:
        if self._municipalities is None:
            self._municipalities = dict(Municipality.objects.values_list("code", "name"))
        return ", ".join(self._municipalities.get(c, c) for c in codes)

    def agencies(self, codes: Iterable[str]) -> str:
        if self._agencies is None:
            self._agencies = dict(Agency.objects.values_list("code", "name"))
        return ", ".join(self._agencies.get(c, c) for c in codes)


def mandate_label(code: object) -> str:
    try:
        return str(MandateLevel.from_code(str(code)).label)
    except ValueError:
        return str(code)


def _summary(reason: Mapping[str, Any], names: _Names) -> str:
    code, params = reason.get("code"), reason.get("params", {})
    if code == "lowest_with_mandate":
        values = {
            "group": names.group(params["group"]),
            "mandate": mandate_label(params["mandate"]),
            "needed": mandate_label(params["needed"]),
        }
        if "above" in params:
            return _(
                "Forwarded from %(above)s: %(group)s is the next group up the ladder whose area "
                "covers the barrier's municipalities and whose mandate (%(mandate)s) reaches the "
                "level needed (%(needed)s)."
            ) % {**values, "above": names.group(params["above"])}
        return (
            _(
                "%(group)s is the lowest group whose area covers the barrier's municipalities "
                "and whose mandate (%(mandate)s) reaches the level needed (%(needed)s)."
            )
            % values
        )
    if code == "no_body_with_mandate":
        return _(
            "No body with mandate: no group covers the barrier's municipalities with a mandate "
            "for %(needed)s, so it goes to the top of the ladder, %(group)s."
        ) % {"group": names.group(params["group"]), "needed": mandate_label(params["needed"])}
    if code == "top_reached":
        return _("%(current)s is the top of the ladder; there is no higher body.") % {
            "current": names.group(params["current"])
        }
    return _("There are no steering groups to route to.")


def _passed_over(reason: Mapping[str, Any], names: _Names) -> str:
    code, params = reason.get("code"), reason.get("params", {})
    if code == "outside_area":
        return _("does not cover %(places)s") % {"places": names.municipalities(params["missing"])}
    if code == "area_unknown":
        return _("covers only part of the area, and the barrier's places are not known yet")
    if code == "agencies_missing":  # routes stored before parties were invited instead
        return _("does not include %(agencies)s") % {"agencies": names.agencies(params["missing"])}
    if code == "no_party_member":
        return _(
            "its mandate (%(mandate)s) is used through its member agencies, and none of the "
            "parties (%(agencies)s) is a member"
        ) % {
            "mandate": mandate_label(params["mandate"]),
            "agencies": names.agencies(params["parties"]),
        }
    if code == "mandate_too_low":
        return _("its mandate (%(mandate)s) does not reach %(needed)s") % {
            "mandate": mandate_label(params["mandate"]),
            "needed": mandate_label(params["needed"]),
        }
    if code == "not_above":
        return _("is not above %(current)s on the ladder") % {
            "current": names.group(params["current"])
        }
    if code == "higher_on_ladder":
        return _("also qualifies, but %(chosen)s is lower on the ladder") % {
            "chosen": names.group(params["chosen"])
        }
    return str(code)


def route_summary(route: Mapping[str, Any]) -> str:
    """Why this group (or none): one or two sentences."""
    if not route:
        return ""
    names = _Names(route)
    text = _summary(route.get("reason", {}), names)
    if invite := route.get("invite"):
        text += " " + _("Parties to invite, as they are not members: %(agencies)s.") % {
            "agencies": names.agencies(invite)
        }
    if ignored := route.get("ignored_agencies"):
        text += " " + _("Not counted as parties: %(agencies)s.") % {
            "agencies": names.agencies(ignored)
        }
    return text


def route_details(route: Mapping[str, Any]) -> list[RouteLine]:
    """Every group considered, lowest on the ladder first, with why each was passed over."""
    if not route:
        return []
    names = _Names(route)
    lines = []
    for considered in route.get("considered", []):
        chosen = considered["group"] == route.get("group")
        reasons = [_passed_over(r, names) for r in considered["reasons"]]
        if chosen and not reasons:
            text = _("proposed")
            if invite := route.get("invite"):
                text += "; " + _("invite %(agencies)s") % {"agencies": names.agencies(invite)}
        elif chosen:
            text = _("proposed as the top of the ladder, although it %(why)s") % {
                "why": "; ".join(reasons)
            }
        else:
            text = "; ".join(reasons)
        lines.append(
            RouteLine(names.group(considered["group"]), considered["qualifies"], chosen, text)
        )
    return lines


def escalation_reasons(escalation: Escalation) -> list[str]:
    """Why the barrier is before this group, as the group reads it: sent back and why; the
    proposal, and when the group is not the proposed one, why it was chosen instead (or that
    the proposal changed after the barrier arrived). Never a bare "X is the lowest group"
    about another group."""
    lines: list[str] = []
    if (returned := escalation.returned_from) is not None:
        reason = returned.decisions.filter(kind="send_back").values_list("reason", flat=True)
        lines.append(
            _("Sent back by %(group)s, because: %(reason)s")
            % {"group": returned.group.name, "reason": reason.first() or ""}
        )
    if escalation.proposed_group_id == escalation.group_id:
        lines.append(escalation.route_reason)
        return lines
    if escalation.override_reason:
        lines.append(
            _("Sent to %(group)s rather than the proposed group, because: %(reason)s")
            % {"group": escalation.group.name, "reason": escalation.override_reason}
        )
    else:
        lines.append(
            _(
                "The proposal changed after the barrier came to %(group)s (its tags, evidence "
                "or the ladder changed); the group keeps it unless the analyst withdraws it."
            )
            % {"group": escalation.group.name}
        )
    if escalation.route_reason:
        lines.append(_("The proposal: %(reason)s") % {"reason": escalation.route_reason})
    return lines
