import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import TranslatedName
from remarks import workflow
from remarks.models_deadlines import DeadlineNotice, NoticeKind  # noqa: F401  (deadline notices)
from remarks.models_measures import Measure  # systemic measures, in their own module
from remarks.querysets import RemarkQuerySet
from remarks.workflow import CLOSED, Action, Status


class Category(TranslatedName):
    """A sector of remarks: vehicles, health, civil registry, e-gov interface..."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["position", "code"]


class Remark(models.Model):
    class Kind(models.TextChoices):
        REMARK = "remark", _("Remark")
        SUGGESTION = "suggestion", _("Suggestion")

    class Language(models.TextChoices):
        KK = "kk", _("Kazakh")
        RU = "ru", _("Russian")
        BOTH = "kk_ru", _("Kazakh and Russian")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REMARK)
    language = models.CharField(_("language of the remark"), max_length=8, choices=Language.choices, default="kk")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    # Title and description case-folded when written (remarks.querysets.search_text): SQLite's
    # LIKE folds only ASCII, so the search of Kazakh and Russian text reads this column there.
    search_text = models.TextField(editable=False, default="", db_default="")
    affected_url = models.URLField(_("link to the page concerned"), max_length=500, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="remarks")
    service = models.ForeignKey(
        "agencies.Service", verbose_name=_("service"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="remarks",
    )
    proposed_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("proposed agency"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("executing agency"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="remarks",
    )
    co_agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("co-executing agencies"), blank=True, related_name="co_remarks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_remarks",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="remarks"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # The state to go back to when the author answers a clarification request.
    return_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    paused_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    registered_on = models.DateField(_("registered on"))
    routing_due = models.DateField(_("routing due"))
    due_date = models.DateField(_("due date"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="duplicates",
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("systemic measure"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="remarks",
    )
    commission = models.ForeignKey(
        "agencies.Commission", verbose_name=_("interagency commission"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="remarks",
    )
    competent_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("competent body"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # An earlier remark of the same author on the same service and matter (remarks.repeats).
    repeat_of = models.ForeignKey(
        "self", verbose_name=_("repeat of"), null=True, blank=True, on_delete=models.PROTECT, related_name="repeats",
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # A form renders a fresh token; a resubmitted form carries the same one and finds the
    # remark it already created instead of making a second.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = RemarkQuerySet.as_manager()

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="remark_status_due"),
            # The staff queue's default sort (due date, then pk): 50 rows without sorting the table.
            models.Index(fields=["due_date", "id"], name="remark_due_pk"),
            models.Index(fields=["agency", "status", "due_date"], name="remark_agency_status_due"),
            models.Index(fields=["author", "-submitted_at"], name="remark_author_submitted"),
            models.Index(fields=["-submitted_at"], name="remark_submitted"),
            models.Index(fields=["category", "status"], name="remark_category_status"),
            # An officer's own open remarks by due date ("needs me", listing.SeekPage's parts).
            models.Index(fields=["assignee", "due_date", "id"], condition=Q(status__in=sorted(workflow.OPEN)),
                         name="remark_assignee_open_due"),
            # The coordinator's "needs me": the remarks to route, by routing date (SeekPage).
            models.Index(fields=["routing_due", "id"], condition=Q(status__in=sorted(workflow.AWAITING_ROUTING)),
                         name="remark_awaiting_routing_due"),
            # A commissioner's own remarks, last changed first (/remarks/mine/).
            models.Index(fields=["author", "-updated_at", "-id"], name="remark_author_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=sorted(CLOSED), closed_at__isnull=False)
                | (~Q(status__in=sorted(CLOSED)) & Q(closed_at__isnull=True)),
                name="remark_closed_iff_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="remark_duplicate_has_original",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("pk")), name="remark_not_duplicate_of_itself"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.IN_REVIEW) | Q(agency__isnull=False),
                name="remark_in_review_has_agency",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ESCALATED) | Q(commission__isnull=False),
                name="remark_escalated_has_commission",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.NEEDS_INFO) | ~Q(return_status=""),
                name="remark_needs_info_knows_return",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("remarks:detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return workflow.is_open(self.status)

    @property
    def holder(self):
        """The body that holds the remark now: the commission, the agency, or the ministry."""
        if workflow.with_commission(self.status):
            return self.commission
        return self.agency


class Sequence(models.Model):
    """Counters for references and outgoing numbers: a row per series and year, locked to allocate."""

    series = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="sequence_unique_series_year")]


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("This history is append-only.")

    def delete(self):
        raise PermissionError("This history is append-only.")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("This history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("This history is append-only.")


class RemarkEvent(AppendOnly):
    """Append-only history: the timeline of a remark and the source of every statistic over time."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted the remark")
        COMMENT = "comment", _("Commented")
        ATTACH = "attach", _("Attached a file")
        MEASURE = "measure", _("Resolved by a systemic measure")
        CONFIRM = "confirm", _("Confirmed the fix")
        CORRECT = "correct", _("Corrected the official letter")

    remark = models.ForeignKey(Remark, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=32, choices=Action.choices + Kind.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    text = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("history event")
        verbose_name_plural = _("history events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["remark", "created_at"], name="event_remark_created")]


class Response(AppendOnly):
    """The official answer; its outgoing number is allocated in the closing transaction."""

    remark = models.ForeignKey(Remark, on_delete=models.PROTECT, related_name="responses")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("signing body"), on_delete=models.PROTECT)
    outgoing_number = models.CharField(_("outgoing number"), max_length=32, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=32, choices=Action.choices)
    body = models.TextField(_("official response"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="responses")

    class Meta:
        verbose_name = _("official response")
        verbose_name_plural = _("official responses")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "sequence"], name="response_unique_agency_sequence"),
            models.CheckConstraint(condition=~Q(body=""), name="response_has_body"),
        ]

    def __str__(self) -> str:
        return self.outgoing_number


class Comment(models.Model):
    remark = models.ForeignKey(Remark, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"), max_length=5000)
    internal = models.BooleanField(_("internal note (staff only)"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["remark", "created_at"], name="comment_remark_created")]


def attachment_path(instance, filename: str) -> str:
    # Random names: nothing of the uploader's file name reaches the file system.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    remark = models.ForeignKey(Remark, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def draft_upload_path(instance, filename: str) -> str:
    return f"drafts/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class DraftUpload(models.Model):
    """A checked file of a remark form that came back with errors, kept until the same form
    (its submission token) is submitted successfully, so nothing attached is lost."""

    token = models.UUIDField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=draft_upload_path, max_length=255)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class Support(models.Model):
    remark = models.ForeignKey(Remark, on_delete=models.PROTECT, related_name="supports")
    # PROTECT, as every other trace of a person here: deleting a supporter would change the
    # counts and the facts behind the statistics (an account is deactivated instead).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supports")
    created_at = models.DateTimeField(default=timezone.now)
    # The body holding the remark when the support was given: the commissioners' table counts
    # it there, and its withdrawal too (a rebuild reads it, it does not work it out by time).
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["remark", "user"], name="support_once_per_user")]


class SupportWithdrawal(models.Model):
    """A support taken back: when it was given and when withdrawn (the statistics count it on
    both days, and are rebuilt from these and the standing supports)."""

    remark = models.ForeignKey(Remark, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(default=timezone.now)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)  # as on the support: the holder when it was given


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    remark = models.ForeignKey(Remark, on_delete=models.PROTECT, related_name="+")
    # A notice of an event, or of the deadline (remarks.models_deadlines): then no event.
    kind = models.CharField(max_length=16, choices=NoticeKind.choices, default=NoticeKind.EVENT)
    event = models.ForeignKey(RemarkEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [models.CheckConstraint(
            condition=Q(kind=NoticeKind.EVENT, event__isnull=False)
            | (~Q(kind=NoticeKind.EVENT) & Q(event__isnull=True, due_date__isnull=False)),
            name="notification_event_or_deadline")]


class StaffNotificationSettings(models.Model):
    """How a member of staff is e-mailed their notices (commissioners choose on their profile)."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("At once, one e-mail per notice")
        DAILY = "daily", _("Once a day, a digest of the notices")
        OFF = "off", _("No e-mail (notices on the site only)")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(_("e-mail"), max_length=16, choices=Email.choices, default=Email.IMMEDIATE)
    language = models.CharField(_("language of e-mails"), max_length=2, choices=settings.LANGUAGES, default="kk")
    # The newest notice already sent in a daily digest.
    digested_until = models.DateTimeField(null=True, blank=True)


class ResponseTemplate(TranslatedName):
    """A canned official answer, inserted into the response form and edited before sending."""

    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    body_kk = models.TextField(_("text (Kazakh)"))
    body_ru = models.TextField(_("text (Russian)"))
    body_en = models.TextField(_("text (English)"))

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["action", "name_kk"]
from remarks.models_contributions import Contribution, ContributionRequest  # noqa: E402, F401  (co-executors)
from remarks.models_letters import Letter, Receipt  # noqa: E402, F401  (receipts and letters)
from remarks.models_outbox import OutboxEmail, outbox_message_id  # noqa: E402, F401  (the outbox)
from remarks.models_publication import Publication  # noqa: E402, F401  (the public register)
from remarks.stats.models import AuthorFact, FlowFact, StateFact  # noqa: E402, F401  (the statistics facts)
