"""The federation as the national instance keeps it: the sites, the rounds, what each sent.

A site's own side keeps only what it sent (SiteAnswer: a repeated request gets the same
document back) and the national barriers it was told about (NationalNotice); its identity and
the directory of peers come from files (federation.identity).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Peer(models.Model):
    """A site of the federation: another Knutpunkt instance, or an organisation within one."""

    name = models.CharField(_("name"), max_length=200, unique=True)  # as its documents say
    label = models.CharField(_("shown as"), max_length=200, blank=True)
    signing_key = models.CharField(_("signing key (Ed25519, base64)"), max_length=64)
    agreement_key = models.CharField(_("mask key (X25519, base64)"), max_length=64)
    active = models.BooleanField(_("takes part"), default=True)
    # Where the national instance fetches the site's answers and sends it national barriers
    # (its base address, e.g. https://knutpunkt.example.se); empty: documents move as files.
    url = models.URLField(_("address"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("federation site")
        verbose_name_plural = _("federation sites")

    def __str__(self) -> str:
        return self.label or self.name


class Round(models.Model):
    """One national computation: four exchanges with every participating site."""

    class Stage(models.TextChoices):
        SIZE = "size", _("Sizes")
        PROPOSAL = "proposal", _("Candidates")
        COUNTS = "counts", _("Counts")
        EVIDENCE = "evidence", _("Evidence")
        DONE = "done", _("Done")

    key = models.CharField(_("round"), max_length=64, unique=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage, default=Stage.SIZE)
    params = models.JSONField(_("knot parameters"), default=dict)
    today = models.DateField(_("as of"))
    peers = models.ManyToManyField(Peer, related_name="rounds", verbose_name=_("sites"))
    concordance = models.CharField(_("concordance"), max_length=64, blank=True)
    n_total = models.BigIntegerField(_("deviations in all"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), default=0)  # itemset size counted now
    # Level 1: the proposed tags; then the itemsets frequent one level below, from which every
    # party makes the level's candidates alike (analytics.federation.level_candidates).
    union = models.JSONField(_("candidate itemsets"), default=list, blank=True)
    level_digest = models.CharField(_("candidates' digest"), max_length=64, blank=True)
    counted = models.JSONField(_("national counts so far"), default=dict, blank=True)
    profiles = models.JSONField(_("site profiles"), default=dict, blank=True)
    gated = models.JSONField(_("knots before evidence"), default=list, blank=True)
    evidence_request = models.JSONField(_("evidence request"), default=dict, blank=True)
    knots = models.JSONField(_("national knots"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("national round")
        verbose_name_plural = _("national rounds")

    def __str__(self) -> str:
        return self.key


class Submission(models.Model):
    """A verified document a site sent for a round's stage."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="submissions")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(_("stage"), max_length=16, choices=Round.Stage)
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    document = models.JSONField(_("document"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "peer", "kind", "level"],
                name="federation_one_document_per_stage",
            )
        ]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"{self.round_id}/{self.kind}/{self.peer_id}"


class SiteAnswer(models.Model):
    """Site side: the document this instance sent for a stage of a national round.

    A second request for the same stage gets this document again, never a fresh count: the
    masks depend on the round and stage only, so two answers under the same masks would give
    away the difference of this site's counts.
    """

    site = models.CharField(_("site"), max_length=200)  # this instance's name in the round
    national = models.CharField(_("national instance"), max_length=200)
    round_key = models.CharField(_("round"), max_length=64)
    stage = models.CharField(_("stage"), max_length=16, choices=Round.Stage)
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    document = models.JSONField(_("document"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "national", "round_key", "stage", "level"],
                name="federation_one_answer_per_stage",
            )
        ]
        verbose_name = _("answer sent")
        verbose_name_plural = _("answers sent")

    def __str__(self) -> str:
        return f"{self.round_key}/{self.stage}/{self.level}"


class NationalBarrier(models.Model):
    """National side: a barrier written up from a national knot, told to its contributors."""

    barrier = models.OneToOneField(
        "barriers.Barrier", on_delete=models.CASCADE, related_name="national"
    )
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="barriers")
    knot = models.JSONField(_("national knot"))  # the round's row: tags, figures, contributors
    published_at = models.DateTimeField(_("last sent to the sites"), null=True, blank=True)
    # Site name → "" when the last sending arrived, else why it did not (shown to the analyst).
    delivery = models.JSONField(_("delivery"), default=dict, blank=True)

    class Meta:
        verbose_name = _("national barrier")
        verbose_name_plural = _("national barriers")

    def __str__(self) -> str:
        return str(self.barrier)


class NationalNotice(models.Model):
    """Site side: a national barrier this site contributes to, as the national instance last
    sent it — where it stands and what was decided."""

    national = models.CharField(_("national instance"), max_length=200)
    national_label = models.CharField(_("shown as"), max_length=200, blank=True)
    reference = models.CharField(_("national barrier"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    knot = models.JSONField(_("national figures"), default=dict, blank=True)
    decisions = models.JSONField(_("decisions"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent"))  # as the national document says
    received_at = models.DateTimeField(_("received"), auto_now=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["national", "reference"], name="federation_one_notice_per_barrier"
            )
        ]
        verbose_name = _("national barrier (notice)")
        verbose_name_plural = _("national barriers (notices)")

    def __str__(self) -> str:
        return self.title
