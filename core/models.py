"""The tables core keeps: what the code last granted each role (core.roles), when a person last
opened a page (core.start), notifications, comments and attachments."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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


class Notification(models.Model):
    """Something that happened that a person should know, shown in their list inside the tool
    and e-mailed as they chose (core.notifications)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="core_notification_unread")]

    def __str__(self) -> str:
        return self.text[:60]


class NotificationPreference(models.Model):
    """How a person wants one kind of notification e-mailed; the list inside the tool always
    shows it."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")
        OFF = "off", _("No e-mail")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32)
    frequency = models.CharField(_("e-mail"), max_length=16, choices=Frequency)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="core_notificationpref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.frequency}"


class UserSettings(models.Model):
    """A person's own settings that are not about their roles: the language of the pages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="settings"
    )
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("user settings")
        verbose_name_plural = _("user settings")

    def __str__(self) -> str:
        return self.language or "-"


class Comment(models.Model):
    """A remark on a deviation or a barrier, in a thread that those who may see the object read
    (core.comments); the apps decide who that is."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="comments",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_comment_subject")]

    def __str__(self) -> str:
        return self.text[:60]


def attachment_path(instance: Attachment, filename: str) -> str:
    """Where a file lies under MEDIA_ROOT: by month, under a random name of letters only, so
    nothing a person typed reaches the disk and no run of digits can look like a number
    (the name is copied into the audit history, which the personal-data scanner reads)."""
    token = "".join("abcdefghijklmnop"[int(c, 16)] for c in uuid.uuid4().hex)
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{token}{suffix}"


class Attachment(models.Model):
    """A file kept with a barrier, a decision or another object (core.attachments): on disk
    under MEDIA_ROOT, handed out only through a view that checks who may read it."""

    class TextCheck(models.TextChoices):
        CHECKED = "checked", _("Text checked")
        PARTLY = "partly", _("Part of the text could not be checked")
        NONE = "none", _("The text could not be checked")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=160)
    size = models.PositiveBigIntegerField(_("size"))
    media_type = models.CharField(
        _("kind of file"),
        max_length=100,
        choices=[
            ("application/pdf", "PDF"),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
            (
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "PowerPoint",
            ),
            ("application/vnd.oasis.opendocument.text", "OpenDocument Text"),
            ("application/vnd.oasis.opendocument.spreadsheet", "OpenDocument Spreadsheet"),
            ("text/plain", _("Text")),
            ("text/csv", "CSV"),
        ],
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    text_check = models.CharField(_("text checked"), max_length=8, choices=TextCheck)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="attachments",
        verbose_name=_("added by"),
    )
    uploaded_at = models.DateTimeField(_("added"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="core_attachment_subject")
        ]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A person's saved filters on one list ("Mina vyer"): the list and its query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("person"),
    )
    page = models.CharField(_("list"), max_length=64)  # a registered URL name (core.saved_views)
    name = models.CharField(_("name"), max_length=80)
    query = models.TextField(_("filters"), blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "page", "name"], name="core_savedview_one_name_per_list"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TableStamp(models.Model):
    """Changed by the database itself on every write to a registered table (core.counts), so a
    list's count is kept while nothing it reads has changed."""

    name = models.CharField(primary_key=True, max_length=63)
    stamp = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
