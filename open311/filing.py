"""`POST requests`: a remark filed as the key's owner, through the filing form's own checks
(remarks.forms.RemarkForm: the same limits and messages) and remarks.services.remark_submit
(the same receipt, deadline and history). What Open311 calls the request's fields map onto the
form's: `service_code` to the service (its sector with it), `description`, and our fields as
`attribute[...]` (remarks.records.service_definition lists them)."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from agencies.models import Service
from core import throttle
from open311.api import ApiError, Caller
from open311.params import clean_text
from open311.terms import term
from remarks import selectors, services
from remarks.capabilities import has_perm
from remarks.forms import RemarkForm
from remarks.models import Remark

# Names a submission's idempotency keys apart from anything else made by uuid5.
IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0f3f9e-6a0e-4d55-9a43-0a8d1f3c7e11")
TRUE = ("true", "1", "yes", "on")
TITLE_FROM_DESCRIPTION = 120


def _attribute(data, name: str) -> str:
    return data.get(f"attribute[{name}]", "").strip()


def _title_from(description: str) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    if len(first) <= TITLE_FROM_DESCRIPTION:
        return first
    cut = first[:TITLE_FROM_DESCRIPTION].rsplit(" ", 1)[0] or first[:TITLE_FROM_DESCRIPTION]
    return cut + "…"


def submission_token(user, key: str) -> uuid.UUID:
    """The form's double-submit token for this user's idempotency key: the same key gives the
    same token (and so the remark already filed), and one user's key never meets another's."""
    return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{user.pk}:{key}")


def _form_errors(form: RemarkForm) -> list[str]:
    names = {"kind": "attribute[kind]", "title": "attribute[title]", "language": "attribute[language]",
             "affected_url": "attribute[affected_url]", "category": "service_code", "service": "service_code"}
    return [f"{names.get(field, field)}: {message}" if field != "__all__" else message
            for field, messages in form.errors.items() for message in messages]


def file_request(caller: Caller) -> tuple[Remark, bool]:
    """File the remark; returns it and whether it was new. ApiError with the form's messages
    when a check fails, and nothing is written."""
    user, data = caller.user, caller.request.POST
    if caller.key is None:
        raise ApiError(403, _("Filing a remark needs an API key."))
    if caller.key.read_only:
        raise ApiError(403, _("This API key is read-only: staff keys cannot file remarks."))
    if not has_perm(user, "remarks.file_remark"):
        raise ApiError(403, _("Only digital commissioners can file remarks."))
    name = f"open311:file:{caller.key.user_id}"  # per owner: new keys give no new quota
    if not throttle.allow(name, limit=term("FILE_LIMIT"), window=term("FILE_WINDOW")):
        raise ApiError(429, _("Too many remarks filed in a short time: wait and try again."),
                       retry_after=throttle.retry_after(name, limit=term("FILE_LIMIT"), window=term("FILE_WINDOW")))
    try:
        for key in data:
            for value in data.getlist(key):
                clean_text(value, limit=100_000)
    except ValueError:
        raise ApiError(400, _("A parameter contains characters that are not allowed.")) from None
    if data.get("media_url", "").strip():
        raise ApiError(400, _("media_url is not accepted: the server fetches nothing from the network. "
                              "Attach screenshots on the remark's page."))
    code = data.get("service_code", "").strip()
    if not code:
        raise ApiError(400, _("service_code: choose a service (GET services lists them)."))
    service = Service.objects.filter(code=code[:64], active=True).select_related("category", "owner").first()
    if service is None:
        raise ApiError(400, _("service_code: there is no service “%(code)s”.") % {"code": code[:64]})
    if service.category_id is None:
        raise ApiError(400, _("service_code: this service belongs to no sector; file it on the site."))
    idempotency = _attribute(data, "idempotency_key")
    if len(idempotency) > 100:
        raise ApiError(400, _("attribute[idempotency_key]: at most 100 characters."))
    description = data.get("description", "")
    form = RemarkForm({
        "kind": _attribute(data, "kind") or Remark.Kind.REMARK,
        "title": _attribute(data, "title") or _title_from(description),
        "description": description,
        "category": service.category_id,
        "service": service.pk,
        "affected_url": _attribute(data, "affected_url"),
        "language": _attribute(data, "language") or "kk",
        "publication_consent": _attribute(data, "publication_consent").lower() in TRUE,
        "submission_token": str(submission_token(user, idempotency) if idempotency else uuid.uuid4()),
    })
    if not form.is_valid():
        raise ApiError(400, *_form_errors(form))
    cleaned = form.cleaned_data
    existing = Remark.objects.filter(submission_token=cleaned["submission_token"], author=user).first()
    if existing is not None:
        return existing, False
    if _attribute(data, "similar_seen").lower() not in TRUE:
        similar = list(selectors.similar_remarks(user, title=cleaned["title"], category=cleaned["category"],
                                                 service=cleaned["service"]))
        if similar:
            raise ApiError(400, _("Similar remarks exist: %(references)s. Look at them first; to file yours "
                                  "anyway, send attribute[similar_seen]=true.")
                           % {"references": ", ".join(r.reference for r in similar)})
    try:
        remark = services.remark_submit(
            author=user, kind=cleaned["kind"], title=cleaned["title"], description=cleaned["description"],
            category=cleaned["category"], service=cleaned["service"], affected_url=cleaned["affected_url"],
            language=cleaned["language"], submission_token=cleaned["submission_token"],
            publication_consent=cleaned["publication_consent"],
        )
    except services.TransitionError as error:
        raise ApiError(400, error.message) from None
    return remark, True


def service_notice(remark: Remark) -> str:
    """The form's own confirmation: reference, registration date and the body it goes to."""
    return _("Your remark is registered as %(reference)s on %(date)s and goes to %(body)s.") % {
        "reference": remark.reference, "date": remark.registered_on.strftime("%d.%m.%Y"),
        "body": remark.proposed_agency or _("the Ministry of Digital Development"),
    }
