"""The public face: the home a visitor lands on, the public register of answered remarks, and the
privacy notice. Everything here reads remarks through remarks.publication, whose policy is
DESIGN.md's table; coordinators moderate from `moderation`."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from agencies.models import Agency
from remarks import publication, selectors, workflow
from remarks.listing import SeekPage, page_of, query_without
from remarks.models import Category, Remark
from remarks.permissions import capability_required
from remarks.stats import figures as stats
from remarks.workflow import Status

LATEST_ON_HOME = 5


class RegisterFilter(forms.Form):
    """The register's filters; a value that is not offered is ignored, never an error."""

    category = forms.ModelChoiceField(label=_("Sector"), queryset=Category.objects.all(), required=False)
    agency = forms.ModelChoiceField(label=_("Executing agency"), queryset=Agency.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + list(Status.choices))

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["agency"]:
            queryset = queryset.filter(agency=data["agency"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        return queryset


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A visitor's front door; signed-in users land on their role's home."""
    if request.user.is_authenticated:
        return redirect(selectors.home_url_name(request.user))
    latest = [publication.public_record(r) for r in publication.published_remarks()[:LATEST_ON_HOME]]
    return render(request, "public/home.html", {"figures": stats.public_home(), "latest": latest})


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterFilter(request.GET or None)
    # Keyset pages: the register grows for good, and each of its remarks stays reachable.
    page = SeekPage(request, form.apply(publication.published_remarks()))
    return render(request, "public/register.html", {
        "form": form, "page": page, "records": [publication.public_record(r) for r in page.object_list],
        "query_without_page": query_without(request, "page", "after", "before"),
    })


@require_GET
def record(request: HttpRequest, reference: str) -> HttpResponse:
    remark = publication.published_remarks().filter(reference=reference).first()
    if remark is None:
        raise Http404("Not in the public register.")
    return render(request, "public/record.html", {"record": publication.public_record(remark)})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "public/privacy.html")


@capability_required("remarks.moderate_publication")
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    """What waits for a coordinator: answered remarks whose authors allow publication, not yet in
    the register (oldest answer first), and what is in it."""
    publishable = workflow.TRANSITIONS[workflow.Action.PUBLISH].sources  # the answered states
    waiting = (Remark.objects.filter(publication__consent=True, publication__published_at__isnull=True,
                                     status__in=sorted(publishable))
               .select_related("agency", "service").order_by("closed_at", "pk"))
    return render(request, "public/moderation.html", {
        "page": page_of(request, waiting), "query_without_page": query_without(request, "page"),
        "published": publication.published_remarks().count(),
    })
