"""The paper trail: the receipt of a filed remark and the official letter of each response.

Both are snapshots: what they say is written once, when the remark is registered or the
response issued, and never changes, whatever later happens to names, positions or templates.
A letter's PDF is rendered afterwards by the worker, once: its bytes and SHA-256 are the only
fields ever written again, and only while they are still empty (remarks.letters.snapshot).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remarks.models import AppendOnly, AppendOnlyQuerySet, Remark, Response


class Receipt(AppendOnly):
    """The талон of a filed remark, as it stood at registration."""

    remark = models.OneToOneField(Remark, on_delete=models.PROTECT, related_name="receipt")
    reference = models.CharField(_("reference"), max_length=16, unique=True)
    submitted_at = models.DateTimeField(_("filed"))
    registered_on = models.DateField(_("registered on"))
    due_date = models.DateField(_("due date"))
    # The body it went to, named as it was named that day.
    body_kk = models.CharField(max_length=255)
    body_ru = models.CharField(max_length=255)
    body_en = models.CharField(max_length=255)
    author_name = models.CharField(_("author"), max_length=255)
    code = models.CharField(_("verification code"), max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return self.reference

    @property
    def registered_later(self) -> bool:
        """Filed on a non-working day, so registered on the next working day."""
        return timezone.localtime(self.submitted_at).date() != self.registered_on


class LetterQuerySet(AppendOnlyQuerySet):
    # The rendered bytes are the only thing written after issue (a compare-and-swap on the
    # empty hash); the snapshot itself is never updated.
    RENDERED = frozenset({"pdf", "pdf_sha256", "rendered_at"})

    def update(self, **kwargs):
        if not kwargs or not set(kwargs) <= self.RENDERED:
            raise PermissionError("An issued letter cannot be changed.")
        return models.QuerySet.update(self, **kwargs)


class Letter(AppendOnly):
    """The official letter of one response: its data fixed at issue, its PDF rendered once."""

    class Language(models.TextChoices):
        KK = "kk", _("Kazakh")
        RU = "ru", _("Russian")
        BOTH = "kk_ru", _("Kazakh and Russian")

    response = models.OneToOneField(Response, on_delete=models.PROTECT, related_name="letter")
    outgoing_number = models.CharField(_("outgoing number"), max_length=32, unique=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    # Everything the letter says (names, positions, letterhead, wording, text), as issued.
    content = models.JSONField(editable=False)
    code = models.CharField(_("verification code"), max_length=16)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    issued_at = models.DateTimeField(_("issued"))
    pdf = models.BinaryField(editable=False, default=b"")
    pdf_sha256 = models.CharField("SHA-256", max_length=64, blank=True, default="")
    rendered_at = models.DateTimeField(null=True, blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("official letter")
        verbose_name_plural = _("official letters")
        ordering = ["issued_at", "pk"]
        indexes = [models.Index(fields=["pdf_sha256", "issued_at"], name="letter_unrendered")]
        constraints = [
            models.CheckConstraint(condition=Q(pdf_sha256="") | Q(pdf_sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="letter_sha256_hex"),
            models.CheckConstraint(condition=~Q(supersedes=models.F("pk")), name="letter_not_its_own_correction"),
        ]

    def __str__(self) -> str:
        return self.outgoing_number

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf_sha256)
