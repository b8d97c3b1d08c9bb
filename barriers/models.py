"""Systemic barriers, the steering groups that can act on them, escalations and decisions.

Models hold data, invariants and per-row facts; workflows live in services.py, reads (and who
may see what) in selectors.py.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from barriers.routing import LEVELS, MANDATES, mandate_rank
from catalogue.models import Agency, Forbund, Municipality
from deviations.models import Deviation, GoodPractice, User


class MandateLevel(models.IntegerChoices):
    """The rule level a change needs, lowest first (docs/domain.md §1.4); compare with < and >.

    Stored as an integer so ordering comparisons happen in the database too; `code` is the
    stable string used by the JSON catalogue and the API.
    """

    LOCAL_ROUTINE = 1, _("Local routine")
    REGIONAL_AGREEMENT = 2, _("Regional agreement")
    AGENCY_GUIDELINE = 3, _("Agency guideline")
    FORORDNING = 4, _("Ordinance (förordning)")
    LAG = 5, _("Act (lag)")

    @property
    def code(self) -> str:
        return MANDATES[self.value - 1]

    @classmethod
    def from_code(cls, code: str) -> MandateLevel:
        """`"agency_guideline"` → AGENCY_GUIDELINE; ValueError for an unknown code."""
        return cls(mandate_rank(code))


class SteeringGroup(models.Model):
    """A body with a mandate (styrgrupp): förbund board, regional group, national body, …"""

    class Level(models.TextChoices):
        FORBUND_BOARD = "forbund_board", _("Förbund board")
        REGIONAL = "regional", _("Regional")
        NATIONAL = "national", _("National")
        AGENCY_HQ = "agency_hq", _("Agency headquarters")
        GOVERNMENT = "government", _("Government")
        RIKSDAG = "riksdag", _("Riksdag")

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level)
    mandate = models.PositiveSmallIntegerField(
        _("mandate"),
        choices=MandateLevel,
        help_text=_("The highest rule level this group can change."),
    )
    forbund = models.ForeignKey(
        Forbund,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steering_groups",
        verbose_name=_("samordningsförbund"),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="steering_groups",
        verbose_name=_("area"),
        help_text=_(
            "Empty: the whole area the group sits in (its county, or the country for national "
            "groups)."
        ),
    )
    county = models.CharField(
        _("county"),
        max_length=2,
        blank=True,
        help_text=_(
            "The county (SCB county code, e.g. 01 for Stockholms län) whose ladder the group "
            "belongs to; empty for national bodies."
        ),
    )
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="steering_groups", verbose_name=_("member agencies")
    )
    members = models.ManyToManyField(
        User, blank=True, related_name="steering_groups", verbose_name=_("members")
    )
    verified = models.BooleanField(_("verified"), default=False)
    source = models.CharField(_("source"), max_length=500, blank=True)
    history = HistoricalRecords(m2m_fields=[municipalities, agencies, members])

    class Meta:
        ordering = ["slug"]
        verbose_name = _("steering group")
        verbose_name_plural = _("steering groups")

    def __str__(self) -> str:
        return self.name

    @property
    def ladder_position(self) -> int:
        return LEVELS.index(self.level)

    def mandate_covers(self, level: int) -> bool:
        return self.mandate >= level


class Barrier(models.Model):
    """A named systemic barrier (systemhinder), usually grown from a knot, with its evidence."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        ANALYSED = "analysed", _("Analysed")
        ESCALATED = "escalated", _("Escalated")
        DECIDED = "decided", _("Decided")
        IN_ACTION = "in_action", _("In action")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed without action")

    title = models.CharField(_("title"), max_length=300)
    # Whose barrier it is: the organisation of the analyst who wrote it up. Its analysts (and
    # the county's) see it; its evidence comes from that organisation, or from every
    # organisation of its county when a county analyst wrote it up (`county_wide`). Empty: the
    # whole installation's (docs/organisations.md).
    organisation = models.ForeignKey(
        Forbund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="barriers",
        verbose_name=_("organisation"),
    )
    county_wide = models.BooleanField(_("for the whole county"), default=False)
    description = models.TextField(_("description"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    proposed_change = models.TextField(_("proposed change"), blank=True)
    mandate_level = models.PositiveSmallIntegerField(
        _("mandate level needed"), choices=MandateLevel, default=MandateLevel.LOCAL_ROUTINE
    )
    # The provisions, laws and agencies in conflict (docs/contracts.md §1 tag ids), normally the
    # knot's tags; new deviations carrying all of them accrue as evidence.
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # Set by the analyst (suggested when the knot hits a group harder: analytics.equality), so
    # the steering group and the statistics can follow equality issues as such.
    equality_issue = models.BooleanField(
        _("equality issue"),
        default=False,
        help_text=_("The barrier hits women, men or an age group harder than others."),
    )
    knot_key = models.CharField(_("knot"), max_length=32, blank=True, db_index=True)  # "": none
    analyst = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="barriers_in_charge",
        verbose_name=_("analyst in charge"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.IDENTIFIED, db_index=True
    )
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    recurring = models.BooleanField(_("recurring"), default=False)
    recurring_since = models.DateTimeField(_("recurring since"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    split_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="splits",
        verbose_name=_("split from"),
    )
    evidence = models.ManyToManyField(
        Deviation,
        through="BarrierEvidence",
        related_name="barriers",
        verbose_name=_("evidence"),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Its files (core.attachments) go with it, should a barrier ever be deleted.
    attachments = GenericRelation("core.Attachment")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("barrier")
        verbose_name_plural = _("barriers")
        permissions = [("view_all_barriers", _("Can see every barrier"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closed_reason=""),
                name="%(app_label)s_%(class)s_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")),
                name="%(app_label)s_%(class)s_not_merged_into_itself",
            ),
            models.CheckConstraint(
                condition=Q(mandate_level__range=(1, 5)),
                name="%(app_label)s_%(class)s_mandate_level_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BarrierEvidence(models.Model):
    """A deviation that shows the barrier, how it came to be linked, and whether the analyst
    chose it as one of the anonymised examples in the dossier."""

    class How(models.TextChoices):
        KNOT = "knot", _("From the knot")
        MANUAL = "manual", _("Added by hand")
        MERGE = "merge", _("From a merged barrier")
        SPLIT = "split", _("Moved by a split")
        ACCRUED = "accrued", _("New deviation matching the barrier's tags")

    barrier = models.ForeignKey(
        Barrier, on_delete=models.CASCADE, related_name="evidence_rows", verbose_name=_("barrier")
    )
    deviation = models.ForeignKey(
        Deviation,
        on_delete=models.CASCADE,
        related_name="barrier_evidence",
        verbose_name=_("deviation"),
    )
    how = models.CharField(_("how"), max_length=16, choices=How)
    is_example = models.BooleanField(_("example in the dossier"), default=False)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["barrier", "-added_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["barrier", "deviation"], name="%(app_label)s_%(class)s_once_per_barrier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.barrier_id}: {self.deviation_id}"


class Escalation(models.Model):
    """A barrier put before a steering group, with the route that led there and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")
        FORWARDED = "forwarded", _("Forwarded")
        RETURNED = "returned", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    barrier = models.ForeignKey(
        Barrier, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("barrier")
    )
    group = models.ForeignKey(
        SteeringGroup,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("steering group"),
    )
    proposed_group = models.ForeignKey(
        SteeringGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed group"),
    )
    # routing.Route.as_dict(): outcome, reason code and parameters, every group considered.
    route = models.JSONField(_("route"), default=dict, blank=True)
    route_reason = models.TextField(_("why this route"), blank=True)
    override_reason = models.TextField(_("why another group than proposed"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.OPEN, db_index=True
    )
    forwarded_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forwards",
        verbose_name=_("forwarded from"),
    )
    # A steering group sent the barrier back down: the escalation it came back from.
    returned_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="returns",
        verbose_name=_("sent back from"),
    )
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)
    rerouted_at = models.DateTimeField(_("route re-evaluated"), null=True, blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated by"),
    )
    created_at = models.DateTimeField(_("escalated"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["barrier"],
                condition=Q(status="open"),
                name="%(app_label)s_%(class)s_one_open_per_barrier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.barrier} → {self.group}"


class Decision(models.Model):
    """What a steering group decided on an escalation."""

    class Kind(models.TextChoices):
        ACT = "act", _("Act within our mandate")
        FORWARD = "forward", _("Forward to a higher level")
        SEND_BACK = "send_back", _("Send back down")
        REJECT = "reject", _("Reject")
        RESOLVED = "resolved", _("Resolved")
        SPREAD = "spread", _("Spread a guldkorn")

    escalation = models.ForeignKey(
        Escalation,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("escalation"),
    )
    kind = models.CharField(_("decision"), max_length=16, choices=Kind)
    text = models.TextField(_("decision text"), blank=True)
    action = models.TextField(_("action"), blank=True)
    owner = models.CharField(_("who does it"), max_length=200, blank=True)
    due_on = models.DateField(_("action due on"), null=True, blank=True)
    effect_check_on = models.DateField(_("effect check on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    effect_evaluation = models.TextField(_("effect evaluation"), blank=True)
    # Spread: the practice that already solved the barrier somewhere (deviations.practices).
    practice = models.ForeignKey(
        GoodPractice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("guldkorn"),
    )
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    attachments = GenericRelation("core.Attachment")  # the letter explaining it goes with it
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["forward", "send_back", "reject"]) | ~Q(reason=""),
                name="%(app_label)s_%(class)s_reason_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind="resolved") | ~Q(effect_evaluation=""),
                name="%(app_label)s_%(class)s_effect_evaluation_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind="spread")
                | (
                    Q(practice__isnull=False)
                    & ~Q(action="")
                    & ~Q(owner="")
                    & Q(due_on__isnull=False)
                    & Q(effect_check_on__isnull=False)
                ),
                name="%(app_label)s_%(class)s_spread_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="act")
                | (
                    ~Q(action="")
                    & ~Q(owner="")
                    & Q(due_on__isnull=False)
                    & Q(effect_check_on__isnull=False)
                ),
                name="%(app_label)s_%(class)s_act_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.escalation}: {self.get_kind_display()}"


# Decisions that set someone to work, with an owner, a due date and an effect check: the ones
# followed up, reminded of, and that put a barrier in action.
ACTING_KINDS = (Decision.Kind.ACT, Decision.Kind.SPREAD)


# --- What has been sent, so a rerun never sends it again --------------------------------------


class Digest(models.Model):
    """One digest e-mail sent to one reporter for one period."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="barrier_digests", verbose_name=_("recipient")
    )
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    subject = models.CharField(_("subject"), max_length=300)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.sent_at:%Y-%m-%d}"


class DigestEvent(models.Model):
    """One event told to a recipient (e.g. `decided:12`); each is told once per person."""

    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, related_name="events", verbose_name=_("digest")
    )
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    key = models.CharField(_("event"), max_length=64)

    class Meta:
        verbose_name = _("digest event")
        verbose_name_plural = _("digest events")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="%(app_label)s_%(class)s_once_per_recipient"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class SentReminder(models.Model):
    """One reminder told (an action or effect check coming up or due, an escalation overdue):
    `key` names what and which stage, e.g. `action_due:soon:12`, so each is told once however
    often the daily command runs (barriers/reminders.py)."""

    key = models.CharField(_("reminder"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("people told"), default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self) -> str:
        return self.key
