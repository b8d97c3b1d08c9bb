"""`{{ escalation|why_here }}`: why a barrier is before a group, in the active language."""

from __future__ import annotations

from django import template

from barriers.explain import escalation_reasons
from barriers.models import Escalation

register = template.Library()


@register.filter
def why_here(escalation: Escalation) -> list[str]:
    return escalation_reasons(escalation)
