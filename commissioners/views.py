from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from commissioners.models import Meeting


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = Meeting.objects.select_related("sector").prefetch_related("invited_agencies")
    return render(request, "commissioners/meetings.html", {"meetings": meetings})
