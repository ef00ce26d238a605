from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def active_language() -> str:
    return (get_language() or "kk")[:2]


class TranslatedName(models.Model):
    """A name kept in Kazakh, Russian and English, shown in the reader's language."""

    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, f"name_{active_language()}", "") or self.name_kk
