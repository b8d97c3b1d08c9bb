"""The tables core keeps: what the code last granted each role (core.roles), and when a person
last opened a page (core.start)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleGrant(models.Model):
    """The permissions the shipped defaults gave a role group at the last `roles_ensure`.

    Comparing it with today's defaults tells a permission new in the code (granted) from one
    an administrator removed (left removed), so upgrades keep the roles admins composed.
    """

    role = models.CharField(_("role"), max_length=32, unique=True)
    permissions = models.JSONField(_("last shipped permissions"), default=list)

    class Meta:
        verbose_name = _("shipped role grant")
        verbose_name_plural = _("shipped role grants")

    def __str__(self) -> str:
        return self.role


class PageVisit(models.Model):
    """When a person last opened a page, so it can say what is new since (core.start)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="page_visits"
    )
    page = models.CharField(_("page"), max_length=32)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("page visit")
        verbose_name_plural = _("page visits")
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="core_pagevisit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.page} {self.seen_at:%Y-%m-%d}"
