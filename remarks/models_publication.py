"""The public register (`/public/`): the author's consent and the coordinator's moderated copy.

One row a remark, made when the author first gives consent (at filing or later). The row is
state, not history: each step (consent, its withdrawal, publication, redaction, removal) is a
workflow action (remarks.actions_publication) with its history event. The originals of the
remark and of its answer never change; the register shows the public copy written here, which
the coordinator redacts (answers often greet the author by name). Who may read what is the
policy table in DESIGN.md, applied in remarks.publication."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    remark = models.OneToOneField("remarks.Remark", primary_key=True, on_delete=models.PROTECT,
                                  related_name="publication")
    consent = models.BooleanField(_("the author allows publication"), default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    title = models.CharField(_("public title"), max_length=200, blank=True)
    description = models.TextField(_("public description"), max_length=5000, blank=True)
    answer = models.TextField(_("public copy of the official answer"), blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [models.Index(fields=["-published_at"], name="publication_published",
                                condition=Q(published_at__isnull=False))]
        constraints = [models.CheckConstraint(condition=Q(published_at__isnull=True) | Q(consent=True),
                                              name="publication_needs_consent")]

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
