from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from remarks import selectors, services, workflow
from remarks.filters import MyRemarkFilter, RemarkFilter
from remarks.forms import CommentForm, RemarkForm, action_form
from remarks.models import Attachment, Notification, Remark
from remarks.workflow import Action

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(selectors.home_url_name(request.user))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse({"status": "error", "database": "unreachable", "reason": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _page(request: HttpRequest, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


@login_required
@require_GET
def remark_list(request: HttpRequest) -> HttpResponse:
    persona = selectors.persona_of(request.user)
    base = selectors.remark_list_for(request.user)
    remark_filter = RemarkFilter(request.GET, queryset=base, request=request)
    filtered = remark_filter.qs
    counts = dict(
        remark_filter.qs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    ) if remark_filter.is_valid() else {}
    return render(request, "remarks/list.html", {
        "filter": remark_filter,
        "page": _page(request, filtered),
        "status_counts": [(status, counts.get(status, 0)) for status in workflow.Status],
        "persona": persona,
        "query_without_page": _query_without(request, "page"),
    })


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


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
        "page": _page(request, remark_filter.qs),
        "query_without_page": _query_without(request, "page"),
    })


@login_required
def remark_new(request: HttpRequest) -> HttpResponse:
    persona = selectors.persona_of(request.user)
    if not persona.is_commissioner:
        messages.error(request, _("Only digital commissioners can file remarks."))
        return redirect("home")
    form = RemarkForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            remark = services.remark_submit(
                author=request.user, kind=data["kind"], title=data["title"], description=data["description"],
                category=data["category"], service=data["service"], affected_url=data["affected_url"],
                language=data["language"], attachments=data["attachments"],
                submission_token=data["submission_token"],
            )
        except services.TransitionError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("Your remark is registered as %(reference)s on %(date)s and goes to %(body)s.") % {
                    "reference": remark.reference,
                    "date": remark.registered_on.strftime("%d.%m.%Y"),
                    "body": remark.proposed_agency or _("the Ministry of Digital Development"),
                },
            )
            return redirect(remark)
    return render(request, "remarks/new.html", {"form": form}, status=400 if form.is_bound else 200)


def _detail_context(request: HttpRequest, remark: Remark, bound: dict | None = None) -> dict:
    user = request.user
    persona = selectors.persona_of(user)
    actions = selectors.available_actions(user, remark)
    forms = []
    for transition in actions:
        form = (bound or {}).get(transition.action) or action_form(transition.action, remark)
        forms.append((transition, form))
    return {
        "remark": remark,
        "persona": persona,
        "events": remark.events.select_related("actor__commissioner").order_by("created_at", "pk"),
        "responses": remark.responses.select_related("agency", "signed_by"),
        "comments": selectors.visible_comments(user, remark),
        "attachments": remark.attachments.all(),
        "co_agencies": remark.co_agencies.all(),
        "action_forms": forms,
        "comment_form": CommentForm(),
        "supported": remark.supports.filter(user=user).exists(),
        "may_support": persona.is_commissioner and remark.author_id != user.pk and remark.is_open,
    }


@login_required
@require_GET
def remark_detail(request: HttpRequest, reference: str) -> HttpResponse:
    remark = selectors.get_remark_for_user(request.user, reference)
    Notification.objects.filter(user=request.user, remark=remark, read_at__isnull=True).update(
        read_at=remark.updated_at
    )
    return render(request, "remarks/detail.html", _detail_context(request, remark))


@login_required
@require_POST
def remark_act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    remark = selectors.get_remark_for_user(request.user, reference, act=True)
    try:
        action = Action(action)
    except ValueError:
        raise Http404("No such action.") from None
    if action not in {t.action for t in selectors.available_actions(request.user, remark)}:
        messages.error(request, _("This action is not available for this remark now."))
        return redirect(remark)
    form = action_form(action, remark, data=request.POST)
    if form.is_valid():
        try:
            services.remark_transition(remark=remark, action=action, actor=request.user, **form.cleaned_data)
        except services.ConflictError as error:
            messages.error(request, error.message)
            return redirect(remark)
        except services.TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": action.label})
            return redirect(remark)
    context = _detail_context(request, remark, bound={action: form})
    context["open_action"] = action
    return render(request, "remarks/detail.html", context, status=400)


@login_required
@require_POST
def remark_comment(request: HttpRequest, reference: str) -> HttpResponse:
    remark = selectors.get_remark_for_user(request.user, reference)
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


@login_required
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
@require_GET
def attachment_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    remark = selectors.get_remark_for_user(request.user, reference)
    try:
        attachment = remark.attachments.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("No such file.") from None
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type,
        as_attachment=not attachment.is_image, filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user).select_related("remark", "event__actor")
    return render(request, "remarks/notifications.html", {"page": _page(request, notifications)})


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
        "statuses": list(workflow.Status),
        "open_states": workflow.OPEN,
        "closed_states": workflow.CLOSED,
    })


