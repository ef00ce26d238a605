"""The time-triggered notices of a remark's deadline: "due soon" and "overdue".

A notice is a Notification row like the notices of events (what /notifications/ lists, marks
read and digests), whose `kind` says it is about the deadline and whose `due_date` is the date
it speaks of; it has no history event, since nothing happened to the remark. DeadlineNotice is
the key that makes sending them idempotent: one row per (remark, kind, due date), written in
the transaction of the notices, so a job that runs twice, or on two nodes, tells nobody twice,
and a deadline that is extended gets its notices again for the new date."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    EVENT = "event", _("Event")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    CONTRIBUTION_DUE = "contribution_due", _("Contribution due")


class DeadlineNotice(models.Model):
    remark = models.ForeignKey("remarks.Remark", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=[(k.value, k.label) for k in (NoticeKind.DUE_SOON,
                                                                                 NoticeKind.OVERDUE)])
    due_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["remark", "kind", "due_date"], name="deadline_notice_once")]
