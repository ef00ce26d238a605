"""The queue (/remarks/): filters, status tabs, bulk work and exports.

Staff work it; commissioners read it as "All remarks". Every row comes from
remarks.selectors, so nobody sees, counts, exports or acts on more than they may read."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from agencies.models import Agency
from remarks import capabilities, exports, selectors, services, workflow
from remarks.capabilities import has_perm
from remarks.converters import is_reference
from remarks.filters import ALL, NEEDS_ME, RemarkFilter
from remarks.forms import ListedChoiceField, NoNulCharField, UserChoiceField, staff_users
from remarks.listing import SeekPage, capped_counts, counts_in_one_pass
from remarks.models import Measure
from remarks.permissions import capability_required, staff_required
from remarks.workflow import Action

BULK_LIMIT = 200
TAB_COUNT_CAP = 1000


class BulkForm(forms.Form):
    """One action on the remarks ticked in the queue. The service checks each remark again."""

    ACCEPT, MEASURE = "accept", "measure"

    bulk_action = forms.ChoiceField(choices=[(ACCEPT, ACCEPT), (MEASURE, MEASURE)])
    remarks = forms.MultipleChoiceField(label=gettext_lazy("Remarks"), choices=[])
    agency = ListedChoiceField(label=gettext_lazy("Executing agency"), queryset=Agency.objects.all(),
                               required=False)
    assignee = UserChoiceField(label=gettext_lazy("Assignee (optional)"), queryset=staff_users(),
                               required=False)
    measure = ListedChoiceField(label=gettext_lazy("Systemic measure"), queryset=Measure.objects.none(),
                                required=False)
    text = NoNulCharField(label=gettext_lazy("Official response"), max_length=10000, required=False,
                          widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, agencies=None, assignees=None, **kwargs):
        # Its own ids: the filter form on the same page has fields named agency and assignee too.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        # The queue's filters read them (ReadOnce): every agency, and every officer and head
        # when the reader may assign anyone (the lists this form offers).
        self.fields["agency"].given = agencies
        self.fields["assignee"].given = assignees
        self.fields["measure"].queryset = measures_for(user)
        # References are checked against what the user may see in the view, not here.
        self.fields["remarks"].choices = [(r, r) for r in self.data.getlist("remarks")] if self.is_bound else []

    def clean_remarks(self):
        references = self.cleaned_data["remarks"]
        if len(references) > BULK_LIMIT:
            raise forms.ValidationError(_("Choose at most %(count)s remarks at once.") % {"count": BULK_LIMIT})
        if not all(map(is_reference, references)):
            raise forms.ValidationError(_("There is no remark with this reference."), code="unknown")
        return references

    def clean(self):
        data = super().clean()
        # Said here, beside the fields, in the workflow table's words; the service checks again.
        if data.get("bulk_action") == self.ACCEPT and not data.get("agency"):
            self.add_error("agency", str(workflow.TRANSITIONS[Action.ACCEPT].input("agency").missing))
        if data.get("bulk_action") == self.MEASURE:
            if not data.get("measure"):
                self.add_error("measure", _("Choose the systemic measure."))
            if not (data.get("text") or "").strip():
                self.add_error("text", str(workflow.TRANSITIONS[Action.RESOLVE].input("text").missing))
        return data


def measures_for(user):
    """The systemic measures this user may apply."""
    measures = Measure.objects.select_related("agency").order_by("-adopted_on", "-pk")
    scope = capabilities.measures_scope(user)
    return measures if scope is None else measures.filter(scope)


# Where a link stands in the list, not what it lists: dropped from the tabs, the search and the filters.
PAGE_PARAMS = ("page", "after", "before")


def queue_query(request: HttpRequest) -> QueryDict:
    """The queue's parameters: without a query string, the reader's "needs me" view (when they
    have one), so that the landing page and its bookmark `?view=mine` are the same list."""
    if not request.GET and capabilities.needs_me(request.user) is not None:
        return QueryDict(f"view={NEEDS_ME}")
    return request.GET


def _queue_filter(request: HttpRequest) -> RemarkFilter:
    return RemarkFilter(queue_query(request), queryset=selectors.remark_list_for(request.user), request=request)


def _count_label(n: int | None, capped: bool):
    if n is None:
        return None  # not counted: the tab shows no number
    return f"{n}+" if capped else n


def _tab_counts(remark_filter: RemarkFilter) -> tuple[dict, tuple]:
    """({status or NEEDS_ME: (count, capped)}, the "All" tab's (count, capped)), with every filter
    applied but the status and the view, in one query; each count stops at TAB_COUNT_CAP
    ("1000+"), so a 100,000-remark queue is not scanned. A text search's matches are read once
    for all the tabs (listing.counts_in_one_pass), not found again for each: exact when it finds
    at most TAB_COUNT_CAP remarks; past that "All" says "1000+" and the other tabs show no number."""
    base = remark_filter.qs_without_status()
    conditions = {NEEDS_ME: remark_filter.needs.condition} if remark_filter.needs is not None else {}
    keys = [s.value for s in workflow.Status]
    if remark_filter.searching:
        more, by_status, meeting = counts_in_one_pass(base, "status", TAB_COUNT_CAP, conditions)
        if more:
            return dict.fromkeys([*keys, *conditions], (None, False)), (TAB_COUNT_CAP, True)
        counts = {key: (by_status[key], False) for key in keys} | {key: (meeting[key], False) for key in conditions}
    else:
        querysets = {key: base.filter(status=key) for key in keys}
        querysets |= {key: base.filter(condition) for key, condition in conditions.items()}
        counts = capped_counts(querysets, TAB_COUNT_CAP, within=_within_tabs(remark_filter, keys))
    statuses = [counts[key] for key in keys]
    return counts, (sum(n for n, _capped in statuses), any(capped for _n, capped in statuses))


def _within_tabs(remark_filter: RemarkFilter, keys: list[str]) -> dict:
    """For each tab, the part of its remarks to count first (capped_counts): those the reader's
    agencies lead (capabilities.led_remarks_q), for "needs me" their open ones (NeedsMe.within)."""
    led = selectors.remarks_led_for(remark_filter.request.user)
    if led is None:
        return {}
    led = remark_filter.qs_without("status", "view", base=led)
    within = {key: led.filter(status=key) for key in keys}
    if remark_filter.needs is not None and remark_filter.needs.within is not None:
        within[NEEDS_ME] = led.filter(remark_filter.needs.within)
    return within


def _found_within(remark_filter: RemarkFilter):
    """The part of the page's remarks to count first for its "Found" (capped_counts), or None."""
    led = selectors.remarks_led_for(remark_filter.request.user)
    if led is None or not remark_filter.is_valid():
        return None
    if not remark_filter.shows_needs_me:
        return remark_filter.qs_without("view", base=led)
    within = remark_filter.needs.within
    return None if within is None else remark_filter.qs_without("view", base=led).filter(within)


def _status_tabs(remark_filter: RemarkFilter, request: HttpRequest) -> list[dict]:
    """The status tabs (and "needs me", for readers who have one) with their counts."""
    counts, all_count = _tab_counts(remark_filter)
    query = queue_query(request).copy()
    for name in ("status", "view", *PAGE_PARAMS):
        query.pop(name, None)
    keep = query.urlencode()
    needs_current = remark_filter.shows_needs_me
    active = set(request.GET.getlist("status"))
    tabs = []
    if remark_filter.needs is not None:
        tabs.append({"label": _("Needs me"), "count": _count_label(*counts[NEEDS_ME]),
                     "query": f"view={NEEDS_ME}&{keep}" if keep else f"view={NEEDS_ME}", "current": needs_current})
    # "All" names its view, since an empty query string opens on "needs me".
    tabs.append({"label": _("All"), "count": _count_label(*all_count),
                 "query": f"view={ALL}&{keep}" if keep else f"view={ALL}",
                 "current": not active and not needs_current})
    for status in workflow.Status:
        query = f"{keep}&status={status.value}" if keep else f"status={status.value}"
        tabs.append({"label": status.label, "count": _count_label(*counts[status.value]), "query": query,
                     "current": active == {status.value} and not needs_current})
    return tabs


@login_required
@require_GET
def remark_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    remark_filter = _queue_filter(request)
    params = queue_query(request)
    without_page = params.copy()
    for name in PAGE_PARAMS:
        without_page.pop(name, None)
    return render(request, "remarks/list.html", {
        "filter": remark_filter,
        "filter_invalid": not remark_filter.is_valid(),
        "page": SeekPage(request, remark_filter.qs, parts=remark_filter.seek_parts,
                         within=_found_within(remark_filter)),
        "status_tabs": _status_tabs(remark_filter, request),
        "reads_as_commissioner": not has_perm(user, "remarks.view_queue"),
        "query_without_page": without_page.urlencode(),
        "current_query": params.urlencode(),
        # The search box stands outside the filters panel and keeps the other filters; it
        # searches every remark ("all"), so a reference typed on "needs me" is found.
        "search_keeps": [(name, value) for name, values in params.lists()
                         if name not in ("q", "view", *PAGE_PARAMS) for value in values],
        "filters_applied": any(name not in ("q", "view", "sort", "status", *PAGE_PARAMS) for name in params),
        "show_assignee": has_perm(user, "remarks.view_assignee"),
        "can_export": has_perm(user, "remarks.export_remarks"),
        "bulk_form": BulkForm(user=user, agencies=remark_filter.agencies,
                                                assignees=remark_filter.assignees) if has_perm(user, "remarks.bulk_act")
        else None,
        "can_bulk_accept": has_perm(user, "remarks.bulk_accept"),
        "delivery_behind": delivery_behind(user),
    })


def delivery_behind(user):
    """The outbox's health when it needs a coordinator's attention (a worker that is down, a
    mail server that refuses), else None: so a dead worker is noticed."""
    if not has_perm(user, "remarks.view_delivery_health"):
        return None
    from remarks import outbox, terms

    health = outbox.outbox_health()
    late = health.oldest_ready_age is not None and health.oldest_ready_age > terms.DELIVERY_LATE
    if not (late or health.failed):
        return None
    return {"ready": health.ready, "failed": health.failed,
            "waiting_since": timezone.now() - health.oldest_ready_age if late else None}


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    # Re-encoded, so whatever was posted can only become a query string of the queue.
    query = QueryDict(request.POST.get("query", ""), mutable=False).urlencode()
    return redirect(f"{reverse('remarks:list')}?{query}" if query else reverse("remarks:list"))


@capability_required("remarks.bulk_act")
@require_POST
def remark_bulk(request: HttpRequest) -> HttpResponse:
    """Accept-and-route, or resolve by a systemic measure, the ticked remarks: all or none."""
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        errors = "; ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": errors})
        return _back_to_queue(request)
    references = list(dict.fromkeys(form.cleaned_data["remarks"]))
    found = {r.reference: r for r in selectors.remarks_visible_to(request.user).filter(reference__in=references)}
    missing = [ref for ref in references if ref not in found]
    if missing:
        messages.error(request, _("Nothing was changed: %(reference)s: there is no such remark in your queue.")
                       % {"reference": missing[0]})
        return _back_to_queue(request)
    chosen = [found[ref] for ref in references]
    data = form.cleaned_data
    try:
        if data["bulk_action"] == BulkForm.ACCEPT:
            services.remarks_bulk_transition(remarks=chosen, action=Action.ACCEPT, actor=request.user,
                                             agency=data["agency"], assignee=data["assignee"])
            done = _("%(count)s remarks accepted and routed to %(agency)s.") % {
                "count": len(chosen), "agency": data["agency"]}
        else:
            responses = services.measure_apply(measure=data["measure"], remarks=chosen, actor=request.user,
                                               response_text=data["text"])
            done = _("%(count)s remarks resolved by the systemic measure; outgoing numbers %(numbers)s.") % {
                "count": len(chosen), "numbers": ", ".join(r.outgoing_number for r in responses)}
    except services.TransitionError as error:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": error.message})
    else:
        messages.success(request, done)
    return _back_to_queue(request)


@staff_required
@require_GET
def remark_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The current filtered queue as CSV or XLSX, streamed, in the user's language."""
    # The page's export link names its view; an export without a query string is every remark.
    remark_filter = RemarkFilter(request.GET, queryset=selectors.remarks_visible_to(request.user), request=request)
    if fmt not in exports.FORMATS:
        raise Http404("No such export format.")
    return exports.FORMATS[fmt](remark_filter.qs)
