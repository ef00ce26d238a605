"""The co-executors' part of an answer.

The lead agency asks a co-executing agency for its contribution with a due date
(ContributionRequest); the co-executor's staff add it (Contribution). Both are workflow actions
(remarks.actions_contribution) with history events; the status does not change. Contributions
are read by staff only (DESIGN.md's policy table); the official response names the agencies that
contributed, never their text."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remarks.models import AppendOnly


class ContributionRequest(models.Model):
    remark = models.ForeignKey("remarks.Remark", on_delete=models.PROTECT, related_name="contribution_requests")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("co-executing agency"), on_delete=models.PROTECT,
                               related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(_("contribution due by"))
    text = models.TextField(_("what is asked"))
    # Set by the first contribution after the request; the worker's reminder marks `reminded_on`.
    contributed_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["due_date"], name="contribution_request_due",
                                condition=models.Q(contributed_at__isnull=True))]

    @property
    def on_time(self) -> bool | None:
        if self.contributed_at is None:
            return None
        return timezone.localdate(self.contributed_at) <= self.due_date


class Contribution(AppendOnly):
    remark = models.ForeignKey("remarks.Remark", on_delete=models.PROTECT, related_name="contributions")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("co-executing agency"), on_delete=models.PROTECT,
                               related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("contribution"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
