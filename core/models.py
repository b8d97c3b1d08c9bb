"""The one table core keeps: what the code last granted each role (core.roles)."""

from __future__ import annotations

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
