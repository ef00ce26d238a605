"""Reads, and who may read: every view fetches remarks through here."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import AgencyMembership
from remarks import capabilities, terms, workflow
from remarks.models import Remark
from remarks.workflow import Status

M = AgencyMembership.Role

# Who the user is and what they may do is decided in remarks.capabilities; these names are
# the readers' way in.
Persona, ANONYMOUS, persona_of, roles_on = (
    capabilities.Persona, capabilities.ANONYMOUS, capabilities.persona_of, capabilities.roles_on
)
home_url_name = capabilities.home_url_name


def remarks_visible_to(user) -> QuerySet[Remark]:
    """Every remark this user may read, as a queryset (never a Python filter): the
    queryset half of the "remarks.view_remark" capability."""
    condition = capabilities.visible_remarks_q(user)
    qs = Remark.objects.all()
    return qs if condition is None else qs.filter(condition)


def remark_list_for(user) -> QuerySet[Remark]:
    """Visible remarks with what a list row shows, in a fixed number of queries."""
    return (
        remarks_visible_to(user)
        .select_related("category", "service", "agency", "author__commissioner", "assignee", "commission")
        .with_overdue_flag()
    )


def get_remark_for_user(user, reference: str, *, act: bool = False) -> Remark:
    """Fetch and authorise in one call: 404 for a remark the user may not see, 403 when
    `act` is asked and the user may see it but take no action on it."""
    try:
        remark = (
            remarks_visible_to(user)
            .select_related(
                "category", "service", "agency", "proposed_agency", "author__commissioner", "assignee",
                "commission", "competent_agency", "duplicate_of", "measure",
            )
            .with_overdue_flag()
            .get(reference=reference)
        )
    except Remark.DoesNotExist:
        raise Http404("No such remark.") from None
    if act and not available_actions(user, remark):
        raise PermissionDenied
    return remark


def available_actions(user, remark: Remark, *, now=None) -> list[workflow.Transition]:
    """The transitions the table allows this user on this remark now, guards included."""
    return capabilities.available_transitions(user, remark, now=now)


def visible_comments(user, remark: Remark):
    qs = remark.comments.select_related("author__commissioner")
    if not capabilities.has_perm(user, "remarks.view_internal_notes"):
        qs = qs.filter(internal=False)
    return qs


SIMILAR_LIMIT = 5


def significant_words(title: str) -> list[str]:
    """The words of a title that say something: at least four letters, longest first."""
    import re

    words = {w.lower() for w in re.findall(r"\w+", title or "") if len(w) >= 4 and not w.isdigit()}
    return sorted(words, key=lambda w: (-len(w), w))[:8]


def similar_remarks(user, *, title: str, category=None, service=None) -> QuerySet[Remark]:
    """Open or recently closed remarks on the same service or sector whose titles share
    significant words with `title`: the database counts the shared words."""
    import datetime as dt

    from django.db.models import Case, IntegerField, Value, When
    from django.db.models.functions import Coalesce

    words = significant_words(title)
    if not words or (category is None and service is None):
        return Remark.objects.none()
    scope = Q(pk__in=[])
    if service is not None:
        scope |= Q(service=service)
    if category is not None:
        scope |= Q(category=category)
    recent_closing = timezone.now() - dt.timedelta(days=terms.SIMILAR_RECENT_DAYS)
    recent = Q(status__in=workflow.OPEN) | Q(closed_at__gte=recent_closing)
    shared = sum((Case(When(title__icontains=w, then=Value(1)), default=Value(0), output_field=IntegerField())
                  for w in words), Value(0))
    return (
        remarks_visible_to(user).filter(scope, recent).exclude(author_id=user.pk)
        .annotate(shared_words=Coalesce(shared, Value(0)))
        .filter(shared_words__gte=min(2, len(words)))
        .select_related("category", "service")
        .order_by("-shared_words", "-support_count", "-submitted_at")[:SIMILAR_LIMIT]
    )


__all__ = [
    "ANONYMOUS", "Persona", "Status", "available_actions", "get_remark_for_user", "home_url_name",
    "persona_of", "remark_list_for", "remarks_visible_to", "roles_on", "similar_remarks", "visible_comments",
]


@dataclass(frozen=True)
class OverdueDigest:
    """What one agency head is told: the agency's overdue remarks and those due soon."""

    head: object
    agency: object
    language: str
    today: object
    horizon: object
    overdue: list
    due_soon: list
    # "due soon" is due within this many working days (the horizon)
    working_days: int = terms.DIGEST_WORKING_DAYS


def overdue_digest_for(*, today) -> list[OverdueDigest]:
    """A digest per (head, agency) that has anything overdue or due within
    terms.DIGEST_WORKING_DAYS working days; in two queries whatever the number of agencies."""
    from django.conf import settings

    from remarks import deadlines

    horizon = deadlines.add_working_days(today, terms.DIGEST_WORKING_DAYS)
    heads = list(
        AgencyMembership.objects.filter(role=M.HEAD, user__is_active=True)
        .exclude(user__email="")
        .select_related("user__commissioner", "agency")
        .order_by("agency__code", "user_id")
    )
    by_agency: dict[int, list[Remark]] = {}
    pending = (
        Remark.objects.filter(agency_id__in={m.agency_id for m in heads}, status__in=workflow.CLOCK_RUNNING,
                              due_date__lte=horizon)
        .with_overdue_flag(today)
        .only("pk", "reference", "title", "due_date", "agency_id", "status")
        .order_by("due_date", "pk")
    )
    for remark in pending:
        by_agency.setdefault(remark.agency_id, []).append(remark)
    digests = []
    for membership in heads:
        remarks = by_agency.get(membership.agency_id, [])
        if not remarks:
            continue
        # Staff have no language setting of their own; a head who is also a commissioner has one.
        profile = getattr(membership.user, "commissioner", None)
        digests.append(OverdueDigest(
            head=membership.user, agency=membership.agency,
            language=profile.language if profile is not None else settings.LANGUAGE_CODE,
            today=today, horizon=horizon,
            overdue=[r for r in remarks if r.is_overdue],
            due_soon=[r for r in remarks if not r.is_overdue],
        ))
    return digests
