"""The federation as the national instance keeps it: the sites, the rounds, what each sent.

A site's own side keeps nothing here: it answers a round's request from its deviations when
asked (federation.site), with its identity and the directory of peers from files
(federation.identity).
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
