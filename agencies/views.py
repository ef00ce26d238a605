from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.models import Commission
from remarks.permissions import secretary_required
from remarks.selectors import persona_of, remark_list_for
from remarks.workflow import Status


@secretary_required
@require_GET
def commission_agenda(request: HttpRequest) -> HttpResponse:
    persona = persona_of(request.user)
    commissions = Commission.objects.filter(pk__in=persona.commission_ids) if not persona.is_superuser else (
        Commission.objects.all()
    )
    agenda = remark_list_for(request.user).filter(commission__in=commissions, status=Status.ESCALATED)
    return render(request, "agencies/agenda.html", {"commissions": commissions, "agenda": agenda})
