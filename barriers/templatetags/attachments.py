"""`{{ decision|attachments }}` (the files kept with an object) and `{{ size|file_size }}`."""

from __future__ import annotations

from django import template
from django.db.models import Model

from core.attachments import attachments_for, size_label
from core.models import Attachment

register = template.Library()


@register.filter
def attachments(obj: Model) -> list[Attachment]:
    return list(attachments_for(obj))


@register.filter
def file_size(size: int) -> str:
    return size_label(size)
