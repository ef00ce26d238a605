from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyMembership, Commission, CommissionSession, Service
from remarks import uploads
from remarks.models import Category, Remark
from remarks.workflow import Action, Outcome

User = get_user_model()


class NoNulCharField(forms.CharField):
    """Text from a browser never carries NUL or other control characters into the database."""

    def to_python(self, value):
        value = super().to_python(value)
        if value and any(ord(c) < 32 and c not in "\t\n\r" for c in value):
            raise ValidationError(_("The text contains characters that are not allowed."), code="control")
        return value


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several objects by id. An id beyond the database's 64-bit integers is an invalid choice,
    not an OverflowError (SQLite) or a DataError (PostgreSQL) from the IN query."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            try:
                too_big = abs(int(str(pk))) >= 2**63
            except ValueError:
                continue  # not a number at all: Django's own check refuses it
            if too_big:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files, each checked by its content. The files that pass are kept in
    `self.checked` even when others fail, so the form can hold on to them."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_files = settings.ATTACHMENT_MAX_COUNT
        self.checked: list[uploads.CheckedUpload] = []

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        checked, errors = [], []
        for f in files:
            try:
                checked.append(uploads.check_upload(f))
            except ValidationError as error:
                errors.extend(error.messages)
        if len(checked) > self.max_files:
            errors.append(
                _("You can attach at most %(count)s files to a remark; only the first %(kept)s are kept.")
                % {"count": settings.ATTACHMENT_MAX_COUNT, "kept": self.max_files}
            )
            checked = checked[: self.max_files]
        self.checked = checked
        if errors:
            raise ValidationError(errors)
        return checked


# "javascript:", "ftp://", "data:" ... but not "egov.kz:443/path" (a host and a port).
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)")


class HttpUrlField(forms.URLField):
    default_validators = [URLValidator(schemes=["http", "https"], message=_("Enter a link that starts with http:// or https://."))]

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        scheme = SCHEME.match(value)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            raise ValidationError(_("Enter a link that starts with http:// or https://."), code="scheme")
        return super().to_python(value)


MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]")


class RemarkForm(forms.Form):
    """The filing form. `kept` is the number of files already attached to this form on an
    earlier try (pending uploads): together with the new ones they may not exceed the limit."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Remark.Kind.choices, widget=forms.RadioSelect,
                             initial=Remark.Kind.REMARK)
    title = NoNulCharField(label=_("Title"), max_length=200, help_text=_("One line: what is wrong or what to change."))
    description = NoNulCharField(label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    category = forms.ModelChoiceField(label=_("Sector"), queryset=Category.objects.all())
    service = forms.ModelChoiceField(
        label=_("Service concerned"), queryset=Service.objects.filter(active=True).select_related("owner"),
        required=False, help_text=_("Choosing a service proposes its owner as the executing agency."),
    )
    affected_url = HttpUrlField(label=_("Link to the page concerned"), required=False, max_length=500)
    language = forms.ChoiceField(label=_("Language of the remark"), choices=Remark.Language.choices, initial="kk")
    attachments = MultipleFileField(
        label=_("Screenshots or documents"), required=False,
        help_text=_("PNG, JPEG or PDF; up to 5 files of at most 10 MB each."),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, kept: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].max_files = max(0, settings.ATTACHMENT_MAX_COUNT - kept)

    def clean_title(self):
        title = self.cleaned_data["title"]
        if MARKUP.search(title):
            raise ValidationError(_("The title cannot contain HTML markup such as <script>. Describe the problem in words."),
                                  code="markup")
        return title

    def valid_uploads(self) -> list[uploads.CheckedUpload]:
        """The new files that passed the checks, whether or not the rest of the form did."""
        return list(self.fields["attachments"].checked)


class NotificationSettingsForm(forms.Form):
    email_notifications = forms.BooleanField(label=_("Send me e-mail when something happens to my remarks"),
                                             required=False)
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)


class CommentForm(forms.Form):
    body = NoNulCharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal note (staff only)"), required=False)


def staff_users():
    """Officers and heads of agencies: the people a remark can be assigned to."""
    return User.objects.filter(
        memberships__role__in=[AgencyMembership.Role.OFFICER, AgencyMembership.Role.HEAD]
    ).distinct().order_by("last_name", "first_name", "pk")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ReferenceField(forms.CharField):
    """A remark named by its reference, e.g. R-2026-00042."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return Remark.objects.get(reference=value.strip().upper())
        except Remark.DoesNotExist:
            raise ValidationError(_("There is no remark with this reference."), code="unknown") from None


def _text(label):
    return NoNulCharField(label=label, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))


# The fields each action's form asks for; the workflow table says which inputs are required
# and the service checks them again, so a crafted POST gets the same answer as the form.
def _action_fields(action: Action, remark: Remark | None) -> dict[str, forms.Field]:
    agencies = Agency.objects.all()
    if action == Action.ACCEPT:
        return {
            "agency": forms.ModelChoiceField(label=_("Executing agency"), queryset=agencies,
                                             initial=remark.proposed_agency_id if remark else None),
            "assignee": UserChoiceField(label=_("Assignee"), queryset=staff_users(), required=False),
            "co_agencies": IdsChoiceField(label=_("Co-executing agencies"), queryset=agencies,
                                                          required=False),
        }
    if action == Action.REASSIGN:
        return {
            "agency": forms.ModelChoiceField(label=_("Executing agency"), queryset=agencies, required=False,
                                             initial=remark.agency_id if remark else None),
            "assignee": UserChoiceField(label=_("Assignee"), queryset=staff_users(), required=False),
        }
    if action == Action.REQUEST_INFO:
        return {"text": _text(_("Question for the author"))}
    if action == Action.PROVIDE_INFO:
        return {"text": _text(_("Your answer"))}
    if action == Action.ESCALATE:
        return {
            "commission": forms.ModelChoiceField(label=_("Interagency commission"), queryset=Commission.objects.all()),
            "competent_agency": forms.ModelChoiceField(label=_("Competent state body"), queryset=agencies),
            "text": _text(_("Why it belongs to another body's competence")),
        }
    if action == Action.COMMISSION_DECIDE:
        sessions = CommissionSession.objects.select_related("commission")
        if remark is not None:
            sessions = sessions.filter(commission_id=remark.commission_id)
        return {
            "session": forms.ModelChoiceField(label=_("Session"), queryset=sessions),
            "outcome": forms.ChoiceField(label=_("Decision"), choices=Outcome.choices),
            "competent_agency": forms.ModelChoiceField(label=_("Competent agency"), queryset=agencies,
                                                       initial=remark.competent_agency_id if remark else None),
            "deadline": forms.DateField(label=_("Deadline"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"})),
            "text": _text(_("Decision (and the official response when it closes the remark)")),
        }
    if action in (Action.RESOLVE, Action.DECLINE):
        return {"text": _text(_("Official response"))}
    if action == Action.MARK_DUPLICATE:
        return {"original": ReferenceField(label=_("Reference of the original remark"), max_length=16)}
    if action == Action.WITHDRAW:
        return {"text": _text(_("Why you withdraw the remark"))}
    if action == Action.REOPEN:
        return {"text": _text(_("Why the answer does not resolve the problem"))}
    if action == Action.EXTEND_DEADLINE:
        return {
            "due_date": forms.DateField(label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"})),
            "text": _text(_("Reason for the extension")),
        }
    raise KeyError(action)


def action_form(action: Action, remark: Remark | None = None, data=None) -> forms.Form:
    form_class = type(f"{action.value.title().replace('_', '')}Form", (forms.Form,), _action_fields(action, remark))
    return form_class(data=data, prefix=action.value)
