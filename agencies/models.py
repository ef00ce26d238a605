from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.choices import Outcome
from core.i18n import TranslatedName, active_language


def code_and_short(values: dict, language: str) -> dict:
    """An agency's code and its short name in `language` (the code where it has none), from
    its field values (a `values()` row or an instance's)."""
    code = values.get("code", "")
    return {"code": code, "short": values.get(f"short_{language}") or code}


class Agency(TranslatedName):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        EGOV_OPERATOR = "egov_operator", _("E-gov operator")
        STATE_CORPORATION = "state_corporation", _("State corporation / PSC network")
        NATIONAL_COMPANY = "national_company", _("National company")
        LOCAL_EXECUTIVE = "local_executive", _("Local executive body")
        OTHER = "other", _("Other")

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{1,11}$", _("Latin capitals and digits, 2 to 12."))],
        help_text=_("Short code used in outgoing numbers, e.g. MIA."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_ministry = models.BooleanField(
        _("is the Ministry of Digital Development"),
        default=False,
        help_text=_("Coordinators belong to this agency."),
    )
    # The agency's name as its official letters head it, in each language a letter is written in.
    letterhead_kk = models.CharField(_("letterhead (Kazakh)"), max_length=255, blank=True)
    letterhead_ru = models.CharField(_("letterhead (Russian)"), max_length=255, blank=True)
    # The abbreviation a sentence, the history, a notice or a chart names the agency by, in the
    # reader's language (ІІМ / МВД / MIA); the code stays in outgoing numbers and exports.
    short_kk = models.CharField(_("short name (Kazakh)"), max_length=32, blank=True)
    short_ru = models.CharField(_("short name (Russian)"), max_length=32, blank=True)
    short_en = models.CharField(_("short name (English)"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    @property
    def short_name(self) -> str:
        """The short name in the reader's language; the code only when that one is empty."""
        return code_and_short(vars(self), active_language())["short"]


class Service(TranslatedName):
    class Channel(models.TextChoices):
        EGOV_PORTAL = "egov_portal", _("E-gov portal")
        MOBILE_APP = "mobile_app", _("Mobile application")
        PSC = "psc", _("Public Service Centre (PSC)")
        AGENCY_SYSTEM = "agency_system", _("Agency information system")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    owner = models.ForeignKey(Agency, verbose_name=_("owner agency"), on_delete=models.PROTECT, related_name="services")
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices, default=Channel.EGOV_PORTAL)
    category = models.ForeignKey(
        "remarks.Category",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]


class AgencyMembership(models.Model):
    class Role(models.TextChoices):
        OFFICER = "officer", _("Officer")
        HEAD = "head", _("Head")
        COORDINATOR = "coordinator", _("Coordinator")
        SECRETARY = "secretary", _("Commission secretary")
        ANALYST = "analyst", _("Analyst")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    position = models.CharField(_("position"), max_length=255, blank=True)
    # The position under the signature of the letters this member signs for the agency.
    position_kk = models.CharField(_("position (Kazakh)"), max_length=255, blank=True)
    position_ru = models.CharField(_("position (Russian)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("agency membership")
        verbose_name_plural = _("agency memberships")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency.code} · {self.get_role_display()}"


class Commission(TranslatedName):
    """The interagency commission (ВАК) that takes what lies in other bodies' competence."""

    host = models.ForeignKey(Agency, verbose_name=_("host agency"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("interagency commission")
        verbose_name_plural = _("interagency commissions")


class CommissionSession(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("date"))
    protocol_number = models.CharField(_("protocol number"), max_length=32)
    agenda = models.ManyToManyField("remarks.Remark", verbose_name=_("agenda"), blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commission session")
        verbose_name_plural = _("commission sessions")
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "protocol_number"], name="session_unique_protocol")
        ]

    def __str__(self) -> str:
        return f"№ {self.protocol_number} · {self.held_on:%d.%m.%Y}"


class CommissionDecision(models.Model):
    session = models.ForeignKey(CommissionSession, on_delete=models.PROTECT, related_name="decisions")
    remark = models.ForeignKey("remarks.Remark", on_delete=models.PROTECT, related_name="commission_decisions")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    competent_agency = models.ForeignKey(
        Agency, verbose_name=_("competent agency"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("decision"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The official response a closing decision issued, with its outgoing number; none for a hand-over.
    response = models.OneToOneField(
        "remarks.Response", verbose_name=_("official response"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="commission_decision",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commission decision")
        verbose_name_plural = _("commission decisions")
        ordering = ["created_at"]
