from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyMembership, Commission, CommissionSession, Service
from remarks import uploads
from remarks.converters import is_reference
from remarks.models import Category, Remark, StaffNotificationSettings
from remarks.workflow import TRANSITIONS, Action, Outcome

User = get_user_model()


# A date is read and typed as dd.mm.yyyy whatever the browser's locale (a date input shows
# the browser's own format, mm/dd/yyyy in many): a text input, ISO accepted too.
DAY_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]


class DayInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        # No inputmode="numeric": a phone's digit pad may have no full stop to type.
        super().__init__(attrs={"autocomplete": "off", "placeholder": _("dd.mm.yyyy"), "maxlength": 10,
                                **(attrs or {})}, format=DAY_FORMATS[0])


class DayField(forms.DateField):
    widget = DayInput
    input_formats = DAY_FORMATS
    default_error_messages = {"invalid": _("Enter a real date as dd.mm.yyyy, for example 25.10.2026.")}


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


class ReadOnce:
    """A queryset's rows, read at the first call by one plain fetch (no server-side cursor, which
    a choice list would open on PostgreSQL: three round trips), then kept. Made per request, for
    the fields of its forms that offer the same objects; never at module or class level."""

    def __init__(self, queryset):
        self.queryset, self.rows = queryset, None

    def __call__(self) -> list:
        if self.rows is None:
            self.rows = list(self.queryset)
        return self.rows


class _ListedChoices(ModelChoiceIterator):
    """The choices from the field's rows read once (ListedChoiceField.listed)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.listed():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.listed()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.listed())


class ListedChoiceField(forms.ModelChoiceField):
    """A model choice rendered from rows read once: those given (`listed`, a callable: a
    prefetched relation, or a ReadOnce other fields share), else its own queryset's. The
    queryset still checks what is posted."""

    iterator = _ListedChoices

    def __init__(self, *args, listed=None, **kwargs):
        self.given, self.own = listed, None
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.own = None  # each form reads its own rows (the given ones are its request's)
        return result

    def _set_queryset(self, queryset):
        self.own = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def listed(self):
        if self.given is not None:
            return self.given()
        if self.own is None:
            self.own = ReadOnce(self.queryset)
        return self.own()


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
    publication_consent = forms.BooleanField(
        label=_("I allow the publication of this remark and its official answer in the public register"),
        required=False,
        help_text=_("Off unless you tick it. The register shows the title, the description and the answer as a "
                    "coordinator has checked and, where needed, edited them, never your name or contact data. "
                    "You may withdraw this consent at any time on the remark's page; the remark then leaves "
                    "the register."))
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, kept: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].max_files = max(0, settings.ATTACHMENT_MAX_COUNT - kept)

    def clean_title(self):
        title = self.cleaned_data["title"]
        if MARKUP.search(title):
            raise ValidationError(
                _("The title cannot contain HTML markup such as <script>. Describe the problem in words."),
                code="markup")
        return title

    def valid_uploads(self) -> list[uploads.CheckedUpload]:
        """The new files that passed the checks, whether or not the rest of the form did."""
        return list(self.fields["attachments"].checked)


class NotificationSettingsForm(forms.Form):
    email_notifications = forms.BooleanField(label=_("Send me e-mail when something happens to my remarks"),
                                             required=False)
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)


class StaffNotificationSettingsForm(forms.Form):
    email = forms.ChoiceField(label=_("E-mail about the remarks of my work"),
                              choices=StaffNotificationSettings.Email.choices, widget=forms.RadioSelect)
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)


class CommentForm(forms.Form):
    body = NoNulCharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal note (staff only)"), required=False)


def staff_users():
    """Officers and heads of agencies: the people a remark can be assigned to."""
    return User.objects.filter(
        memberships__role__in=[AgencyMembership.Role.OFFICER, AgencyMembership.Role.HEAD]
    ).distinct().order_by("last_name", "first_name", "pk")


class UserChoiceField(ListedChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ReferenceField(forms.CharField):
    """A remark named by its reference, e.g. R-2026-00042, among those the user may read
    (set `user` before cleaning); any other reference is unknown, never a hint."""

    user = None

    def clean(self, value):
        from remarks.selectors import remarks_visible_to

        value = super().clean(value)
        if not value:
            return None
        reference = value.strip().upper()
        if not is_reference(reference):
            raise ValidationError(_("There is no remark with this reference."), code="unknown")
        try:
            return remarks_visible_to(self.user).get(reference=reference)
        except Remark.DoesNotExist:
            raise ValidationError(_("There is no remark with this reference."), code="unknown") from None


def _text(label, remark=None):
    # Typed in the remark's language: the browser's spelling checker and input follow it.
    lang = {"lang": remark.language} if remark is not None and remark.language in ("kk", "ru") else {}
    return NoNulCharField(label=label, max_length=10000, widget=forms.Textarea(attrs={"rows": 5, **lang}))


def _agency_field(spec, remark, label):
    initial = None
    if remark is not None:
        initial = remark.agency_id or remark.proposed_agency_id
    return forms.ModelChoiceField(label=label, queryset=Agency.objects.all(), required=spec.required,
                                  initial=initial)


# The form field of each input the workflow table names; the table says which are required
# and the service checks them again, so a crafted POST gets the same answer as the form.
INPUT_FIELDS = {
    "agency": lambda spec, remark: _agency_field(spec, remark, _("Executing agency")),
    "assignee": lambda spec, remark: UserChoiceField(label=_("Assignee"), queryset=staff_users(),
                                                     required=spec.required),
    "co_agencies": lambda spec, remark: IdsChoiceField(label=_("Co-executing agencies"),
                                                       queryset=Agency.objects.all(), required=spec.required),
    "commission": lambda spec, remark: forms.ModelChoiceField(label=_("Interagency commission"),
                                                              queryset=Commission.objects.all()),
    "competent_agency": lambda spec, remark: forms.ModelChoiceField(
        label=spec.label or _("Competent state body"), queryset=Agency.objects.all(),
        initial=remark.competent_agency_id if remark else None),
    "session": lambda spec, remark: forms.ModelChoiceField(
        label=_("Session"), queryset=CommissionSession.objects.select_related("commission").filter(
            **({"commission_id": remark.commission_id} if remark is not None else {}))),
    "outcome": lambda spec, remark: forms.ChoiceField(label=_("Decision"), choices=Outcome.choices),
    "deadline": lambda spec, remark: DayField(label=_("Deadline"), required=spec.required),
    "due_date": lambda spec, remark: DayField(label=spec.label, required=spec.required),
    "original": lambda spec, remark: ReferenceField(label=spec.label, max_length=16),
    "co_agency": lambda spec, remark: ListedChoiceField(
        label=_("Co-executing agency"),
        queryset=remark.co_agencies.all() if remark is not None else Agency.objects.none(),
        listed=remark.co_agencies.all if remark is not None else list),
    "public_title": lambda spec, remark: forms.CharField(
        label=spec.label, max_length=200, initial=_public_copy(remark, "title")),
    "public_description": lambda spec, remark: forms.CharField(
        label=spec.label, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        initial=_public_copy(remark, "description")),
    "public_answer": lambda spec, remark: forms.CharField(
        label=spec.label, widget=forms.Textarea(attrs={"rows": 5}), initial=_public_copy(remark, "answer"),
        help_text=_("Remove the author's name and anything else that identifies a person; "
                    "the original answer stays as it is.")),
    "text": lambda spec, remark: _text(spec.label, remark),
    "bilingual": lambda spec, remark: forms.BooleanField(
        label=_("Bilingual answer (Kazakh and Russian)"), required=False,
        help_text=_("The letter is written in the language of the remark; tick this to write it in both. "
                    "The sentence on the right to dispute the answer is added to the letter by the system.")),
}


def _public_copy(remark: Remark | None, name: str) -> str:
    """What the moderator starts from: the public copy when there is one, else the original."""
    from remarks import publication

    return publication.draft_copy(remark)[name] if remark is not None else ""


def action_form(action: Action, remark: Remark | None = None, data=None, *, user=None) -> forms.Form:
    """The form of one workflow action, built from the inputs its table row names."""
    transition = TRANSITIONS[Action(action)]
    fields = {spec.name: INPUT_FIELDS[spec.name](spec, remark) for spec in transition.inputs if spec.on_page}
    form_class = type(f"{transition.action.value.title().replace('_', '')}Form", (forms.Form,), fields)
    form = form_class(data=data, prefix=transition.action.value)
    for bound_field in form.fields.values():
        if isinstance(bound_field, ReferenceField):
            bound_field.user = user
    return form
