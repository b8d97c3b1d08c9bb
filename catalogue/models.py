"""The reference catalogue: laws, provisions, agencies, municipalities, förbund and the
everyday terms staff use, which the tagger and every app read (docs/domain.md §2–§4).

The tables keep the names they had when the catalogue lived in deviations (`db_table`), so
moving the models changed nothing in any database.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalogue.tagids import (
    agency_tag_id,
    law_tag_id,
    provision_label,
    provision_tag_id,
)


class Agency(models.Model):
    """A party involved in a deviation (docs/contracts.md §1 agency codes), not a named office."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    variants = models.JSONField(_("name variants"), default=list, blank=True)
    subunits = models.JSONField(_("sub-units and roles"), default=list, blank=True)
    context_dependent = models.JSONField(_("context-dependent words"), default=list, blank=True)
    history = HistoricalRecords(table_name="deviations_historicalagency")

    class Meta:
        db_table = "deviations_agency"
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
        db_table = "deviations_municipality"
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
    # As an organisation on the platform (docs/organisations.md): its own policy for sign-in.
    require_totp = models.BooleanField(
        _("require a second factor"),
        default=False,
        help_text=_("Everyone in this organisation who signs in with a password needs a code."),
    )
    history = HistoricalRecords(
        table_name="deviations_historicalforbund", m2m_fields=[municipalities]
    )

    class Meta:
        db_table = "deviations_forbund"
        ordering = ["name"]
        verbose_name = _("samordningsförbund")
        verbose_name_plural = _("samordningsförbund")

    def __str__(self) -> str:
        return self.name

    @property
    def county(self) -> str | None:
        """The SCB county code (the first two digits of a municipality's code): a förbund's
        members are all in one county, so any member tells it."""
        first = self.municipalities.order_by("code").values_list("code", flat=True).first()
        return first[:2] if first else None


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
    # False for a row created when someone first tagged it (catalogue.services): analysts see
    # it as not yet checked until an administrator confirms or corrects it. Shipped rows: True.
    confirmed = models.BooleanField(_("confirmed by an administrator"), default=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    history = HistoricalRecords(table_name="deviations_historicallaw", m2m_fields=[agencies])

    class Meta:
        db_table = "deviations_law"
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
        if not self.sfs or self.sfs in label:  # "SFS 1962:381", a row created from use
            return label
        return f"{label} ({self.sfs})"

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
    confirmed = models.BooleanField(_("confirmed by an administrator"), default=True)  # see Law
    history = HistoricalRecords(table_name="deviations_historicalprovision")

    class Meta:
        db_table = "deviations_provision"
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
        """Swedish citation form, e.g. `27 kap. 48 § SFB`, `12 kap. 1 § SoL (2025:400)`: the
        label every page shows (catalogue.selectors.tag_choices, the one rule for telling law
        versions apart), or built from the row while it is not yet in that list."""
        from catalogue.selectors import tag_choices  # the selectors read this module

        choice = tag_choices().get(self.tag_id) if self.tag_id else None
        if choice is not None:
            return choice.label
        return provision_label(
            self.chapter, self.section, self.law.short_name or f"({self.law.sfs})"
        )


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
    history = HistoricalRecords(table_name="deviations_historicalterm")

    class Meta:
        db_table = "deviations_term"
        ordering = ["term"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return self.term


class Concordance(models.Model):
    """One line of a transition table: an old provision continued by a new one.

    Knots, trends, statistics and a barrier's evidence read a provision and its continuation as
    one concept (catalogue.concordance), so a reform does not split a problem in two. When an
    old provision is split, the line with `main` set is the one it continues in.
    """

    old = models.ForeignKey(
        Provision,
        on_delete=models.CASCADE,
        related_name="continued_by",
        verbose_name=_("old provision"),
    )
    new = models.ForeignKey(
        Provision,
        on_delete=models.CASCADE,
        related_name="continues",
        verbose_name=_("new provision"),
    )
    main = models.BooleanField(_("main continuation"), default=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["old__tag_id", "-main", "new__tag_id"]
        verbose_name = _("concordance line")
        verbose_name_plural = _("concordance")
        constraints = [
            models.UniqueConstraint(
                fields=["old", "new"], name="%(app_label)s_%(class)s_unique_pair"
            ),
            models.UniqueConstraint(
                fields=["old"],
                condition=Q(main=True),
                name="%(app_label)s_%(class)s_one_main",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class CatalogueConflict(models.Model):
    """A field that both an upgrade and an administrator changed; the local value was kept.

    Written by the loader, listed in the admin until an administrator has looked at it."""

    table = models.CharField(_("table"), max_length=32)
    row = models.CharField(_("row"), max_length=400)
    field = models.CharField(_("field"), max_length=64)
    shipped = models.JSONField(_("shipped value"), null=True, blank=True)
    local = models.JSONField(_("local value, kept"), null=True, blank=True)
    found_at = models.DateTimeField(_("found"), auto_now=True)

    class Meta:
        ordering = ["-found_at", "table", "row", "field"]
        verbose_name = _("catalogue conflict")
        verbose_name_plural = _("catalogue conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "row", "field"], name="%(app_label)s_%(class)s_unique_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.row}: {self.field}"


class ShippedRow(models.Model):
    """The values the loader last wrote to one catalogue row, as plain JSON.

    A three-way comparison (last shipped, now shipped, now in the database) tells an
    administrator's edit from an upgrade's change, whatever path the edit took (admin, API,
    shell), so `load_catalogue` keeps local work and reports conflicts (catalogue.loader).
    """

    table = models.CharField(_("table"), max_length=32)
    key = models.CharField(_("natural key"), max_length=400)
    values = models.JSONField(_("last shipped values"), default=dict)

    class Meta:
        verbose_name = _("shipped catalogue row")
        verbose_name_plural = _("shipped catalogue rows")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "key"], name="%(app_label)s_%(class)s_unique_row"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.key}"
