from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    ASTANA = "astana", _("Astana")
    ALMATY_CITY = "almaty_city", _("Almaty")
    SHYMKENT = "shymkent", _("Shymkent")
    ABAI = "abai", _("Abai region")
    AKMOLA = "akmola", _("Akmola region")
    AKTOBE = "aktobe", _("Aktobe region")
    ALMATY = "almaty", _("Almaty region")
    ATYRAU = "atyrau", _("Atyrau region")
    EAST_KAZAKHSTAN = "east_kazakhstan", _("East Kazakhstan region")
    ZHAMBYL = "zhambyl", _("Zhambyl region")
    ZHETISU = "zhetisu", _("Zhetisu region")
    WEST_KAZAKHSTAN = "west_kazakhstan", _("West Kazakhstan region")
    KARAGANDA = "karaganda", _("Karaganda region")
    KOSTANAY = "kostanay", _("Kostanay region")
    KYZYLORDA = "kyzylorda", _("Kyzylorda region")
    MANGYSTAU = "mangystau", _("Mangystau region")
    PAVLODAR = "pavlodar", _("Pavlodar region")
    NORTH_KAZAKHSTAN = "north_kazakhstan", _("North Kazakhstan region")
    TURKISTAN = "turkistan", _("Turkistan region")
    ULYTAU = "ulytau", _("Ulytau region")


class Commissioner(models.Model):
    class Background(models.TextChoices):
        JOURNALIST = "journalist", _("Journalist")
        BLOGGER = "blogger", _("Blogger")
        ACTIVIST = "activist", _("Civic activist")
        EXPERT = "expert", _("Expert")
        OTHER = "other", _("Other")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commissioner")
    full_name = models.CharField(_("full name"), max_length=255)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices)
    background = models.CharField(_("background"), max_length=16, choices=Background.choices)
    active = models.BooleanField(_("active"), default=True)
    appointed_on = models.DateField(_("appointed on"))
    language = models.CharField(
        _("language of e-mails"), max_length=2, choices=settings.LANGUAGES, default="kk"
    )
    email_notifications = models.BooleanField(_("send me e-mail about my remarks"), default=True)

    class Meta:
        verbose_name = _("digital commissioner")
        verbose_name_plural = _("digital commissioners")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class Meeting(models.Model):
    """The minister's meeting with commissioners on one sector, with the agencies invited."""

    held_on = models.DateField(_("date"))
    sector = models.ForeignKey("remarks.Category", verbose_name=_("sector"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=255)
    invited_agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("invited agencies"), blank=True, related_name="meetings"
    )
    agenda = models.ManyToManyField("remarks.Remark", verbose_name=_("agenda"), blank=True, related_name="meetings")
    decisions = models.TextField(_("decisions"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sector meeting")
        verbose_name_plural = _("sector meetings")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y} · {self.title}"
