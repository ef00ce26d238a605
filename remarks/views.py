from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.db.models import Count, OuterRef, Q, Subquery, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from commissioners import services as commissioners_services
from commissioners.models import Commissioner
from remarks import actions, drafts, notify, publication, selectors, services, workflow
from remarks.capabilities import has_perm
from remarks.confirmations import done_message
from remarks.diagram import workflow_svg
from remarks.filters import MyRemarkFilter
from remarks.forms import (
    CommentForm,
    NotificationSettingsForm,
    RemarkForm,
    StaffNotificationSettingsForm,
    action_form,
)
from remarks.letters import views as paper_trail
from remarks.listing import page_of, query_without
from remarks.models import (
    Attachment,
    DraftUpload,
    Notification,
    Remark,
    RemarkEvent,
    ResponseTemplate,
    StaffNotificationSettings,
)
from remarks.permissions import capability_required
from remarks.workflow import Action

logger = logging.getLogger(__name__)

@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The answer is public: no host, port or driver text in it; the log has the details.
        logger.error("Health check: the database is unreachable: %s", error)
        return JsonResponse({"status": "failing", "database": "failing"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
@require_GET
def my_remarks(request: HttpRequest) -> HttpResponse:
    unread = (
        Notification.objects.filter(user=request.user, remark=OuterRef("pk"), read_at__isnull=True)
        .order_by().values("remark").annotate(n=Count("pk")).values("n")
    )
    base = selectors.remark_list_for(request.user).filter(author=request.user).annotate(unread=Subquery(unread))
    remark_filter = MyRemarkFilter(request.GET, queryset=base, request=request)
    return render(request, "remarks/mine.html", {
        "filter": remark_filter,
        "page": page_of(request, remark_filter.qs),
        "query_without_page": query_without(request, "page"),
    })


def _submission_token(data) -> uuid.UUID:
    try:
        return uuid.UUID(str(data.get("submission_token", "")))
    except ValueError:
        return uuid.uuid4()


@capability_required("remarks.file_remark")
def remark_new(request: HttpRequest) -> HttpResponse:
    """File a remark. A form that comes back (errors, or similar remarks to look at first)
    keeps what was typed and the files that passed the checks, as pending uploads of its
    submission token; the token also makes a double click file one remark, not two."""
    if request.method != "POST":
        return render(request, "remarks/new.html", {"form": RemarkForm()})
    data = request.POST.copy()
    token = _submission_token(data)
    data["submission_token"] = str(token)
    # isdigit() alone lets "²" through to int(); a bigint has at most 18 safe digits.
    drop = [int(pk) for pk in request.POST.getlist("drop_upload")
            if pk.isascii() and pk.isdigit() and len(pk) <= 18]
    if drop:
        drafts.draft_uploads_drop(user=request.user, token=token, ids=drop)
    kept = list(DraftUpload.objects.filter(user=request.user, token=token))
    form = RemarkForm(data, request.FILES, kept=len(kept))
    similar = []
    if form.is_valid():
        cleaned = form.cleaned_data
        if not request.POST.get("confirm"):
            similar = list(selectors.similar_remarks(request.user, title=cleaned["title"],
                                                     category=cleaned["category"], service=cleaned["service"]))
        if not similar:
            return _file_remark(request, form, kept)
    kept += _keep_drafts(request, form, token, form.valid_uploads())
    context = {"form": form, "kept": kept, "similar": similar}
    return render(request, "remarks/new.html", context, status=200 if similar else 400)


def _keep_drafts(request: HttpRequest, form: RemarkForm, token: uuid.UUID, uploads) -> list[DraftUpload]:
    """The files to hold for the form shown again; past the user's allowance, none, and the
    form says why (what was typed stays in the form)."""
    try:
        return drafts.draft_uploads_keep(user=request.user, token=token, uploads=uploads)
    except services.TransitionError as error:
        form.add_error(error.field, error.message)
        return []


def _file_remark(request: HttpRequest, form: RemarkForm, kept: list) -> HttpResponse:
    data = form.cleaned_data
    try:
        remark = services.remark_submit(
            author=request.user, kind=data["kind"], title=data["title"], description=data["description"],
            category=data["category"], service=data["service"], affected_url=data["affected_url"],
            language=data["language"], attachments=drafts.draft_uploads_as_checked(kept) + data["attachments"],
            submission_token=data["submission_token"], publication_consent=data["publication_consent"],
        )
    except services.TransitionError as error:
        form.add_error(error.field, error.message)
        kept += _keep_drafts(request, form, data["submission_token"], data["attachments"])
        return render(request, "remarks/new.html", {"form": form, "kept": kept}, status=400)
    drafts.draft_uploads_clear(user=request.user, token=data["submission_token"])
    messages.success(
        request,
        _("Your remark is registered as %(reference)s on %(date)s and goes to %(body)s.") % {
            "reference": remark.reference,
            "date": remark.registered_on.strftime("%d.%m.%Y"),
            "body": remark.proposed_agency or _("the Ministry of Digital Development"),
        },
    )
    return redirect(remark)


# The actions whose text an officer may start from a response template.
TEMPLATE_ACTIONS = (Action.RESOLVE, Action.DECLINE, Action.REQUEST_INFO)


def _response_templates(remark: Remark, offered: set[Action]) -> list[ResponseTemplate]:
    wanted = [a for a in TEMPLATE_ACTIONS if a in offered]
    if not wanted:
        return []
    return list(ResponseTemplate.objects.filter(Q(category__isnull=True) | Q(category_id=remark.category_id),
                                                action__in=wanted))


def _template_body(template: ResponseTemplate, language: str) -> str:
    """The template's text in the remark's language: Kazakh, Russian, both, else English."""
    if language == Remark.Language.KK:
        return template.body_kk
    if language == Remark.Language.RU:
        return template.body_ru
    if language == Remark.Language.BOTH:
        return f"{template.body_kk}\n\n{template.body_ru}"
    return template.body_en


def _detail_context(request: HttpRequest, remark: Remark, bound: dict | None = None) -> dict:
    user = request.user
    # Read once: the page lists them, the contribution form offers them, the history names them.
    prefetch_related_objects([remark], "co_agencies")
    offered = selectors.available_actions(user, remark)
    templates = _response_templates(remark, {t.action for t in offered})
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("template", "")), None)
    forms = []
    for transition in offered:
        form = (bound or {}).get(transition.action)
        if form is None:
            form = action_form(transition.action, remark, user=user)
            if chosen is not None and chosen.action == transition.action:
                form.initial["text"] = _template_body(chosen, remark.language)
        forms.append((transition, form, [t for t in templates if t.action == transition.action]))
    events = selectors.visible_events(user, remark)
    confirmed = any(
        e.action == RemarkEvent.Kind.CONFIRM and remark.closed_at and e.created_at >= remark.closed_at for e in events
    )
    return {
        "remark": remark,
        "events": events,
        **paper_trail.detail_context(user, remark),  # the responses with their letters, the receipt
        "comments": selectors.visible_comments(user, remark),
        "attachments": remark.attachments.all(),
        "co_agencies": remark.co_agencies.all(),  # prefetched above
        **selectors.contributions_for(user, remark),
        "publication": publication.publication_of(remark),
        "action_forms": forms,
        "open_action": chosen.action if chosen else None,
        "comment_form": CommentForm(),
        "supported": remark.supported_by_reader,
        "may_support": has_perm(user, "remarks.support_remark", remark) and remark.is_open,
        "may_confirm": has_perm(user, "remarks.confirm_remark", remark) and not confirmed,
        "may_write_internal_note": has_perm(user, "remarks.write_internal_note"),
        "may_view_assignee": has_perm(user, "remarks.view_assignee"),  # staff only (DESIGN's policy table)
        "confirmed": confirmed,
    }


@login_required
@require_GET
def remark_detail(request: HttpRequest, reference: str) -> HttpResponse:
    remark = selectors.get_remark_for_user(request.user, reference)
    selectors.mark_notifications_read(request, remark)
    return render(request, "remarks/detail.html", _detail_context(request, remark))


@login_required
@require_POST
def remark_act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    remark = selectors.get_remark_for_user(request.user, reference)
    # The form carries the status its reader saw: if someone else has acted since, say so
    # rather than act on a remark that has moved on (or answer that nothing is allowed).
    if actions.moved_on(request.POST.get("seen_status"), remark):
        messages.error(request, services.conflict_message(remark.status))
        return redirect(remark)
    available = {t.action for t in selectors.available_actions(request.user, remark)}
    if not available:
        raise PermissionDenied
    try:
        action = Action(action)
    except ValueError:
        raise Http404("No such action.") from None
    if action not in available:
        messages.error(request, _("This action is not available for this remark now."))
        return redirect(remark)
    form = action_form(action, remark, data=request.POST, user=request.user)
    if form.is_valid():
        try:
            done = services.remark_transition(remark=remark, action=action, actor=request.user, **form.cleaned_data)
        except services.ConflictError as error:
            messages.error(request, error.message)
            return redirect(remark)
        except services.TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, done_message(done, action))
            return redirect(remark)
    context = _detail_context(request, remark, bound={action: form})
    context["open_action"] = action
    return render(request, "remarks/detail.html", context, status=400)


@login_required
@require_POST
def remark_comment(request: HttpRequest, reference: str) -> HttpResponse:
    remark = selectors.get_remark_for_user(request.user, reference)
    if not has_perm(request.user, "remarks.comment_remark", remark):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(remark=remark, author=request.user, body=form.cleaned_data["body"],
                                 internal=form.cleaned_data["internal"])
        except services.TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Your comment is added."))
            return redirect(f"{remark.get_absolute_url()}#comments")
    context = _detail_context(request, remark)
    context["comment_form"] = form
    return render(request, "remarks/detail.html", context, status=400)


@capability_required("remarks.support_remarks")
@require_POST
def remark_support(request: HttpRequest, reference: str) -> HttpResponse:
    remark = selectors.get_remark_for_user(request.user, reference)
    try:
        supported = services.support_toggle(remark=remark, user=request.user)
    except services.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You support this remark.") if supported else _("Your support is withdrawn."))
    return redirect(remark)


@login_required
@require_POST
def remark_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    """The author confirms that the fix works; the remark stays resolved."""
    remark = selectors.get_remark_for_user(request.user, reference)
    if remark.author_id != request.user.pk:
        raise PermissionDenied
    try:
        services.remark_confirm(remark=remark, user=request.user)
    except services.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: you confirmed that the fix works."))
    return redirect(remark)


@login_required
@require_GET
def attachment_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """Files are served only here, after the remark itself is found visible to the user:
    images inline, anything else as a download, never sniffed into something else."""
    remark = selectors.get_remark_for_user(request.user, reference)
    try:
        attachment = remark.attachments.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("No such file.") from None
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle, content_type=attachment.content_type,
        as_attachment=not attachment.is_image, filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user).select_related(
        "remark", "event__actor__commissioner"
    )
    return render(request, "remarks/notifications.html", {"page": page_of(request, notifications)})


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """A commissioner turns e-mail off or on and chooses its language."""
    profile = Commissioner.objects.filter(user=request.user).first()
    if profile is None:
        return _staff_notification_settings(request)
    form = NotificationSettingsForm(
        request.POST or None,
        initial={"email_notifications": profile.email_notifications, "language": profile.language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            commissioners_services.notification_settings_update(user=request.user, **form.cleaned_data)
        except services.TransitionError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
    return render(request, "remarks/notification_settings.html", {"form": form},
                  status=400 if form.errors else 200)


def _staff_notification_settings(request: HttpRequest) -> HttpResponse:
    """Staff choose immediate e-mail, a daily digest or none, and the language."""
    chosen = StaffNotificationSettings.objects.filter(user=request.user).first()
    form = StaffNotificationSettingsForm(request.POST or None, initial={
        "email": chosen.email if chosen else StaffNotificationSettings.Email.IMMEDIATE,
        "language": chosen.language if chosen else request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            notify.staff_settings_update(user=request.user, **form.cleaned_data)
        except services.TransitionError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
    return render(request, "remarks/notification_settings.html", {"form": form, "staff": True},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@require_GET
def workflow_help(request: HttpRequest) -> HttpResponse:
    return render(request, "help/workflow.html", {
        "transitions": list(workflow.TRANSITIONS.values()),
        "statuses": [(status, workflow.is_closed(status)) for status in workflow.Status],
        "diagram": workflow_svg(),
    })


