"""Deviations, their tags, and the reference catalogue they point into.

Models hold data, invariants and per-row facts; workflows live in services.py, reads in
selectors.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from deviations.catalogue.tagids import agency_tag_id, law_tag_id, provision_tag_id

# --- Reference catalogue -------------------------------------------------------------------


class Agency(models.Model):
    """A party involved in a deviation (CONTRACTS.md §1 agency codes), not a named office."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    variants = models.JSONField(_("name variants"), default=list, blank=True)
    subunits = models.JSONField(_("sub-units and roles"), default=list, blank=True)
    context_dependent = models.JSONField(_("context-dependent words"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def tag_id(self) -> str:
        return agency_tag_id(self.code)


class Municipality(models.Model):
    code = models.CharField(_("SCB code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class Forbund(models.Model):
    """A samordningsförbund (Finsam 2003:1210) and the municipalities that are its members."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    municipalities = models.ManyToManyField(
        Municipality, related_name="forbund", verbose_name=_("member municipalities")
    )
    verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=500, blank=True)
    history = HistoricalRecords(m2m_fields=[municipalities])

    class Meta:
        ordering = ["name"]
        verbose_name = _("samordningsförbund")
        verbose_name_plural = _("samordningsförbund")

    def __str__(self) -> str:
        return self.name


class Law(models.Model):
    """A statute, ordinance or agency rule, identified by its SFS number where it has one."""

    class Kind(models.TextChoices):
        LAG = "lag", _("Act")
        FORORDNING = "forordning", _("Ordinance")
        FORESKRIFT = "foreskrift", _("Regulation")
        ALLMANNA_RAD = "allmanna_rad", _("General guidelines")

    sfs = models.CharField(_("SFS number"), max_length=32, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    abbreviations = models.JSONField(_("abbreviations"), default=list, blank=True)
    name_forms = models.JSONField(_("name forms"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.LAG)
    has_chapters = models.BooleanField(_("divided into chapters"), default=False)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    in_force_to = models.DateField(_("in force to"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="laws", verbose_name=_("applied by")
    )
    verified = models.BooleanField(_("verified"), default=False)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        ordering = ["sfs"]
        verbose_name = _("law")
        verbose_name_plural = _("laws")
        constraints = [
            models.UniqueConstraint(
                fields=["title"],
                condition=Q(sfs__isnull=True),
                name="%(app_label)s_%(class)s_title_unique_without_sfs",
            ),
        ]

    def __str__(self) -> str:
        label = self.short_name or self.title
        return f"{label} ({self.sfs})" if self.sfs else label

    @property
    def tag_id(self) -> str | None:
        return law_tag_id(self.sfs) if self.sfs else None


class Provision(models.Model):
    """Chapter and section of a law; a chapter-only row stands for the whole chapter."""

    law = models.ForeignKey(
        Law, on_delete=models.CASCADE, related_name="provisions", verbose_name=_("law")
    )
    chapter = models.CharField(_("chapter"), max_length=8, blank=True)
    section = models.CharField(_("section"), max_length=8, blank=True)
    tag_id = models.CharField(_("tag identifier"), max_length=64, unique=True, editable=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tag_id"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(
                fields=["law", "chapter", "section"],
                name="%(app_label)s_%(class)s_unique_reference",
            ),
            models.CheckConstraint(
                condition=~Q(chapter="", section=""),
                name="%(app_label)s_%(class)s_chapter_or_section",
            ),
        ]

    def __str__(self) -> str:
        return self.citation

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The identifier is derived from the reference, so it can never disagree with it.
        if self.law.sfs:
            self.tag_id = provision_tag_id(self.law.sfs, self.chapter or None, self.section or None)
        super().save(*args, **kwargs)

    @property
    def citation(self) -> str:
        """Swedish citation form, e.g. `27 kap. 48 § SFB`."""
        parts = []
        if self.chapter:
            parts.append(f"{_spaced(self.chapter)} kap.")
        if self.section:
            parts.append(f"{_spaced(self.section)} §")
        law = self.law.short_name or f"({self.law.sfs})"
        return " ".join([*parts, law])


def _spaced(part: str) -> str:
    """`28a` → `28 a`, the way the citation is printed."""
    return part[:-1] + " " + part[-1] if part and part[-1].isalpha() else part


class Term(models.Model):
    """An everyday word staff use ("sjukpenning") and the provisions it points to.

    `targets` is a list of {"tag": id, "from": date, "until": date} so that date-dependent
    mappings (the SoL change on 2025-07-01) stay data, editable without code changes.
    """

    term = models.CharField(_("term"), max_length=100, unique=True)
    forms = models.JSONField(_("other forms"), default=list, blank=True)
    targets = models.JSONField(_("tags"), default=list, blank=True)
    candidates = models.JSONField(_("candidate tags when ambiguous"), default=list, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="terms",
        verbose_name=_("owner"),
    )
    ambiguous = models.BooleanField(_("ambiguous"), default=False)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["term"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return self.term


# --- Organisation ------------------------------------------------------------------------


class Unit(models.Model):
    """A reporting team or sub-project (e.g. MIA Roslagen), with the municipalities it covers."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    forbund = models.ForeignKey(
        Forbund,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("samordningsförbund"),
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="units", verbose_name=_("municipalities")
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[municipalities])

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using Knutpunkt; roles are Django groups (see deviations.roles)."""

    units = models.ManyToManyField(
        Unit, blank=True, related_name="members", verbose_name=_("units")
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")


# --- Deviations --------------------------------------------------------------------------


class Category(models.TextChoices):
    RULE_CONFLICT = "rule_conflict", _("Rule conflict")
    RESPONSIBILITY_GAP = "responsibility_gap", _("Gap in responsibility")
    WORK_CAPACITY = "work_capacity", _("Conflicting assessments of work capacity")
    INFORMATION_SECRECY = "information_secrecy", _("Information transfer or secrecy")
    WAITING_TIME = "waiting_time", _("Waiting or processing time")
    PAYMENT_GAP = "payment_gap", _("Gap in payments")
    COORDINATION = "coordination", _("Coordination or joint planning")
    OTHER = "other", _("Other")


class Consequence(models.TextChoices):
    NO_INCOME = "no_income", _("No income")
    DELAYED_SUPPORT = "delayed_support", _("Delayed support")
    INTERRUPTED_SUPPORT = "interrupted_support", _("Interrupted support")
    CONTRADICTORY_DEMANDS = "contradictory_demands", _("Contradictory demands")
    LOST_ENTITLEMENT = "lost_entitlement", _("Lost entitlement (e.g. SGI)")
    HEALTH_DETERIORATION = "health_deterioration", _("Worse health")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    # Values are the import contract's (CONTRACTS.md §3).
    WOMAN = "kvinna", _("Woman")
    MAN = "man", _("Man")
    OTHER = "annat", pgettext_lazy("gender", "Other")
    UNKNOWN = "okänt", _("Unknown")


class AgeBand(models.TextChoices):
    A16_19 = "16-19", "16–19"
    A20_29 = "20-29", "20–29"
    A30_39 = "30-39", "30–39"
    A40_49 = "40-49", "40–49"
    A50_59 = "50-59", "50–59"
    A60_67 = "60-67", "60–67"


class Severity(models.IntegerChoices):
    LOW = 1, _("1 – minor")
    MODERATE = 2, _("2 – moderate")
    SERIOUS = 3, _("3 – serious")
    CRITICAL = 4, _("4 – critical")


class Deviation(models.Model):
    """One anonymised case where the rules of different bodies clashed or left a gap."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        TRIAGED = "triaged", _("Triaged")
        LINKED = "linked", _("Linked to a barrier")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    external_id = models.CharField(
        _("external id"), max_length=100, unique=True, null=True, blank=True
    )
    occurred_on = models.DateField(_("event date"))
    reported_at = models.DateTimeField(_("reported at"))
    reporter = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deviations",
        verbose_name=_("reporter"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("unit")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="deviations",
        verbose_name=_("municipality"),
    )
    # Set when the reporter's account is deleted: the deviation stays, attributed to a stable
    # pseudonym instead of a person (deviations.services.user_remove).
    reporter_pseudonym = models.CharField(
        _("pseudonymous reporter"), max_length=40, blank=True, editable=False
    )
    description = models.TextField(_("what happened"))
    category = models.CharField(_("category"), max_length=32, choices=Category, blank=True)
    consequence = models.CharField(_("consequence"), max_length=32, choices=Consequence, blank=True)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity, null=True, blank=True
    )
    gender = models.CharField(_("participant gender"), max_length=8, choices=Gender, blank=True)
    age_band = models.CharField(
        _("participant age band"), max_length=8, choices=AgeBand, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.SUBMITTED, db_index=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # The confirmed tag ids, sorted and joined by ";": what the knot analysis reads. Kept in step
    # with Tagging by deviations.services, so a million deviations load without a join.
    confirmed_tags = models.TextField(_("confirmed tags"), blank=True, default="", editable=False)
    # Sent with a submission (the draft's key), so a retried submit never files twice.
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "idempotency_key", "confirmed_tags"])

    class Meta:
        ordering = ["-occurred_on", "-reference"]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        permissions = [
            ("view_all_deviations", _("Can see the deviations of every unit")),
            ("triage_deviation", _("Can confirm tags and triage deviations")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__isnull=True) | Q(severity__range=(1, 4)),
                name="%(app_label)s_%(class)s_severity_1_4",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_duplicate",
            ),
        ]
        indexes = [
            models.Index(fields=["occurred_on"]),
            models.Index(fields=["municipality", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("deviations:detail", kwargs={"reference": self.reference})


class Draft(models.Model):
    """A deviation being written, saved while the user types so that nothing is lost.

    Kept apart from Deviation: a draft may be incomplete, gets no reference and no audit history
    (autosave would flood it), and its text never holds blocking personal data (masked on save).
    """

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("owner")
    )
    data = models.JSONField(_("form content"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return str(self.key)

    def get_absolute_url(self) -> str:
        return reverse("deviations:draft", kwargs={"key": self.key})

    @property
    def summary(self) -> str:
        text = " ".join(str(self.data.get("description", "")).split())
        return text[:80] + ("…" if len(text) > 80 else "")


class TriageAction(models.Model):
    """One analyst decision on a deviation, with the state before and after so it can be undone.

    The audit history records every row change; this groups one decision's changes and keeps
    what is needed to reverse them exactly.
    """

    deviation = models.ForeignKey(
        Deviation,
        on_delete=models.CASCADE,
        related_name="triage_actions",
        verbose_name=_("deviation"),
    )
    by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("triage action")
        verbose_name_plural = _("triage actions")

    def __str__(self) -> str:
        return f"{self.deviation_id}: {self.summary}"


class TagVersion(models.Model):
    """One row whose number goes up whenever the analysed data changes: a confirmed tag, a new
    deviation or an edit of one.

    Knot results and figures are cached under this number, so they are recomputed after a change
    and not on every page view, in every process.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)


class ReferenceCounter(models.Model):
    """The last reference number handed out per year, so `AV-2026-00042` never repeats."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class TaggingQuerySet(models.QuerySet["Tagging"]):
    def confirmed(self) -> TaggingQuerySet:
        return self.filter(state=Tagging.State.CONFIRMED)


class Tagging(models.Model):
    """A link from a deviation to an agency, law or provision, by its CONTRACTS.md identifier."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        LAW = "law", _("Law")
        PROVISION = "provision", _("Provision")

    class Origin(models.TextChoices):
        TAGGER = "tagger", _("Suggested by the tagger")
        PERSON = "person", _("Added by a person")
        IMPORT = "import", _("Imported")

    class State(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    deviation = models.ForeignKey(
        Deviation, on_delete=models.CASCADE, related_name="taggings", verbose_name=_("deviation")
    )
    tag_id = models.CharField(_("tag"), max_length=64, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.SUGGESTED)
    rule = models.CharField(_("rule"), max_length=200, blank=True)
    spans = models.JSONField(_("text spans"), default=list, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = TaggingQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "tag_id"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(
                fields=["deviation", "tag_id"], name="%(app_label)s_%(class)s_one_per_deviation"
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="%(app_label)s_%(class)s_confidence_0_1",
            ),
        ]
        indexes = [models.Index(fields=["tag_id", "state"])]

    def __str__(self) -> str:
        return self.tag_id


# --- Background jobs ---------------------------------------------------------------------------


class Job(models.Model):
    """Long work done by the task worker (or inline), with progress people can watch.

    The Django task only carries the job's id; what to do, how far it got and how it ended live
    here, so any process on any machine can show it and a failed job can be run again.
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import of deviations")
        RETAG = "retag", _("Re-tagging after a catalogue change")
        KNOTS = "knots", _("Knot recomputation")
        DIGESTS = "digests", _("Weekly digests")
        REMINDERS = "reminders", _("Escalation reminders")
        RETENTION = "retention", _("Retention of free text")
        DOSSIER = "dossier", _("Dossier PDF")
        EXPORT = "export", _("Export of deviations")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("done")
        FAILED = "failed", _("failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    input_name = models.CharField(_("file name"), max_length=200, blank=True)
    input = models.BinaryField(_("input file"), null=True, blank=True, editable=False)
    # Only one queued or running job per key, e.g. one knot recomputation at a time.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, blank=True)
    step = models.CharField(_("step"), max_length=200, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    output_name = models.CharField(_("output file name"), max_length=200, blank=True)
    output = models.BinaryField(_("output file"), null=True, blank=True, editable=False)
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    step_started_at = models.DateTimeField(_("step started"), null=True, blank=True)
    progressed_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="%(app_label)s_%(class)s_one_active_per_dedupe_key",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["status", "progressed_at"]),  # the reaper's question
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", kwargs={"key": self.key})

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
