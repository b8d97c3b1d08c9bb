"""Units, people, deviations and their tags.

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

from catalogue.models import Forbund, Municipality

QUOTE_MAX_CHARS = 300  # a sentence or two in the participant's own words

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
    """A person using Knutpunkt; roles are Django groups (see core.roles)."""

    units = models.ManyToManyField(
        Unit, blank=True, related_name="members", verbose_name=_("units")
    )
    # The samordningsförbund the person works for: analysts see its deviations, local
    # administrators manage its people. Empty: the whole installation (docs/organisations.md).
    organisation = models.ForeignKey(
        Forbund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organisation"),
    )
    # Who was given which role and unit, made active or inactive, by whom and when. The
    # password hash and the time of the last login are left out (a login is no change).
    history = HistoricalRecords(
        m2m_fields=["groups", "units"], excluded_fields=["password", "last_login"]
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if set(kwargs.get("update_fields") or ()) == {"last_login"}:
            self.skip_history_when_saving = True
            try:
                super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
            return
        super().save(*args, **kwargs)

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
    # Values are the import contract's (docs/contracts.md §3).
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
        WITHDRAWN = "withdrawn", _("Withdrawn by the reporter")  # left out of every analysis

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
    # No single-column indexes where a composite one below leads with the same column: every
    # index is written on every filing and status change (a knot's 15,000 at once).
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="deviations",
        verbose_name=_("unit"),
        db_index=False,
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="deviations",
        verbose_name=_("municipality"),
        db_index=False,
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
    # The participant's own words, only with their consent; who consented is never recorded.
    # Shown in a dossier only where the disclosure rule allows (barriers.dossier).
    participant_quote = models.CharField(
        _("the participant's own words"), max_length=QUOTE_MAX_CHARS, blank=True
    )
    participant_consent = models.BooleanField(_("the participant agreed"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.SUBMITTED)
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
    # The audit trail is read by the deviation's id and by date (barriers.audit,
    # deviations.history, retention) and a removed account's history_user is cleared by it:
    # those keep their indexes; the copied columns' own indexes only slowed every write.
    history = HistoricalRecords(
        excluded_fields=["updated_at", "idempotency_key", "confirmed_tags"],
        no_db_index=[
            "reference",
            "external_id",
            "duplicate_of",
            "reporter",
            "municipality",
            "unit",
        ],
    )

    class Meta:
        ordering = ["-occurred_on", "-reference"]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        permissions = [
            ("view_all_deviations", _("Can see the deviations of every unit")),
            (
                "view_county_deviations",
                _("Can see the deviations of every organisation of the county"),
            ),
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
            models.Index(fields=["municipality", "occurred_on"]),
            # Each list's order, so that its first page is read from an index, not sorted
            # from every row: the deviation list (and a unit's), the triage queue (oldest
            # submitted first), the start page's newest reports.
            # With the id (PostgreSQL; SQLite's indexes hold it anyway): a deep page's ids are
            # read from the index alone (core.search.ListPaginator).
            models.Index(
                fields=["-occurred_on", "-reference"],
                name="deviation_list_order",
                include=["id"],
            ),
            models.Index(fields=["unit", "-occurred_on"], name="deviation_unit_order"),
            models.Index(fields=["status", "reported_at", "id"], name="deviation_triage_order"),
            models.Index(fields=["-reported_at"], name="deviation_newest_reports"),
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


class DeviationChange(models.Model):
    """Which deviations the one door for analysed data (`taggings_changed`) passed, in order:
    what a kept analysis (analytics.live) reads to bring itself up to date without reading
    every deviation again. `deviation_id` empty: deviations were removed, so start over.

    Rows older than two days are pruned by the daily retention run; a kept analysis is
    rebuilt at least daily, so it never needs an older one.
    """

    id = models.BigAutoField(primary_key=True)
    deviation_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("analysed change")
        verbose_name_plural = _("analysed changes")

    def __str__(self) -> str:
        return f"{self.pk}: {self.deviation_id}"


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
    """A link from a deviation to an agency, law or provision, by its identifier
    (docs/contracts.md §1)."""

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

    # Indexes: the one-per-deviation constraint leads with the deviation and the (tag, state)
    # index with the tag, so neither column has one of its own; an import writes seven taggings
    # a deviation, each into every index.
    deviation = models.ForeignKey(
        Deviation,
        on_delete=models.CASCADE,
        related_name="taggings",
        verbose_name=_("deviation"),
        db_index=False,
    )
    tag_id = models.CharField(_("tag"), max_length=64)
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
    # Read by the tagging's id, its deviation and date; the decider's index only slowed writes.
    history = HistoricalRecords(no_db_index=["decided_by"])

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


# --- Guldkorn: practices that worked --------------------------------------------------------------


class GoodPractice(models.Model):
    """A guldkorn: something that made several bodies' rules work together for a participant,
    recorded as systematically as what fails, so that a steering group can spread it.

    Filed by staff or analysts, tagged by the same tagger and gated like a deviation, confirmed
    by an analyst; a confirmed one is shown on the knots and barriers its tags meet
    (deviations.practices)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for an analyst")
        CONFIRMED = "confirmed", _("Confirmed")
        NOT_A_PRACTICE = "rejected", _("Not taken up")
        SPREAD = "spread", _("Decided to spread")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("in short"), max_length=200)
    what_was_done = models.TextField(_("what was done"))
    who = models.CharField(_("who did it"), max_length=300)
    what_it_solved = models.TextField(_("what it solved"))
    occurred_on = models.DateField(_("when"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="good_practices", verbose_name=_("unit")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    reporter = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practices",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.SUBMITTED)
    # The tagger's suggestions with their explanations ({tag_id, confidence, rule, spans}), and
    # the tags an analyst confirmed: what the knots and barriers are matched on.
    suggested_tags = models.JSONField(_("suggested tags"), default=list, blank=True)
    confirmed_tags = models.JSONField(_("confirmed tags"), default=list, blank=True)
    confirmed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("guldkorn")
        verbose_name_plural = _("guldkorn")
        indexes = [models.Index(fields=["status", "reported_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", args=[self.reference])


# --- Background jobs ---------------------------------------------------------------------------
