"""Systemic measures: one change that resolves many remarks at once, reference data kept in
Kazakh, Russian and English like every other (the Kazakh title is the one a measure must have)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import active_language


class Measure(models.Model):
    """One systemic change that resolves many remarks at once."""

    title = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT)
    adopted_on = models.DateField(_("adopted on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "remarks"
        verbose_name = _("systemic measure")
        verbose_name_plural = _("systemic measures")
        ordering = ["-adopted_on"]

    def __str__(self) -> str:
        return self.name

    def _in_language(self, field: str) -> str:
        language = active_language()
        kazakh = getattr(self, field)
        return kazakh if language == "kk" else getattr(self, f"{field}_{language}", "") or kazakh

    @property
    def name(self) -> str:
        """The title in the reader's language (the Kazakh one where it is not written)."""
        return self._in_language("title")

    @property
    def description_in_language(self) -> str:
        return self._in_language("description")
