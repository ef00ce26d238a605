"""Reads, and who may read: every view fetches remarks through here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import AgencyMembership
from remarks import workflow
from remarks.models import Remark
from remarks.workflow import Action, Role, Status

M = AgencyMembership.Role


@dataclass(frozen=True)
class Persona:
    """What a user is in the system, read once per request from their memberships."""

    user_id: int | None
    is_commissioner: bool = False
    is_superuser: bool = False
    # agency ids per membership role
    officer_of: frozenset[int] = frozenset()
    head_of: frozenset[int] = frozenset()
    coordinator_of: frozenset[int] = frozenset()
    secretary_of: frozenset[int] = frozenset()
    analyst_of: frozenset[int] = frozenset()
    commission_ids: frozenset[int] = field(default=frozenset())

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinator_of)

    @property
    def is_secretary(self) -> bool:
        return bool(self.secretary_of)

    @property
    def is_analyst(self) -> bool:
        return bool(self.analyst_of)

    @property
    def agency_ids(self) -> frozenset[int]:
        """Agencies whose queue the user works as officer or head."""
        return self.officer_of | self.head_of

    @property
    def is_staff_member(self) -> bool:
        return bool(self.agency_ids or self.coordinator_of or self.secretary_of or self.analyst_of)

    @property
    def sees_all_remarks(self) -> bool:
        return self.is_superuser or self.is_coordinator or self.is_analyst or self.is_commissioner

    @property
    def sees_internal_notes(self) -> bool:
        return self.is_staff_member or self.is_superuser

    @property
    def sees_statistics(self) -> bool:
        return self.is_analyst or self.is_coordinator or self.is_superuser


ANONYMOUS = Persona(user_id=None)


def persona_of(user) -> Persona:
    """The user's persona, cached on the user object for the length of the request."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_persona", None)
    if cached is not None:
        return cached
    from agencies.models import Commission
    from commissioners.models import Commissioner

    by_role: dict[str, set[int]] = {role: set() for role in M.values}
    for agency_id, role in AgencyMembership.objects.filter(user=user).values_list("agency_id", "role"):
        by_role[role].add(agency_id)
    commission_ids = (
        frozenset(Commission.objects.filter(host_id__in=by_role[M.SECRETARY]).values_list("pk", flat=True))
        if by_role[M.SECRETARY]
        else frozenset()
    )
    persona = Persona(
        user_id=user.pk,
        is_commissioner=Commissioner.objects.filter(user=user, active=True).exists(),
        is_superuser=user.is_superuser,
        officer_of=frozenset(by_role[M.OFFICER]),
        head_of=frozenset(by_role[M.HEAD]),
        coordinator_of=frozenset(by_role[M.COORDINATOR]),
        secretary_of=frozenset(by_role[M.SECRETARY]),
        analyst_of=frozenset(by_role[M.ANALYST]),
        commission_ids=commission_ids,
    )
    user._persona = persona
    return persona


def remarks_visible_to(user) -> QuerySet[Remark]:
    """Every remark this user may read, as a queryset (never a Python filter)."""
    persona = persona_of(user)
    qs = Remark.objects.all()
    if persona.sees_all_remarks:
        return qs
    condition = Q(pk__in=[])
    if persona.agency_ids:
        condition |= Q(agency_id__in=persona.agency_ids) | Q(
            pk__in=Remark.co_agencies.through.objects.filter(agency_id__in=persona.agency_ids).values("remark_id")
        )
    if persona.commission_ids:
        condition |= Q(commission_id__in=persona.commission_ids)
    if persona.user_id:
        condition |= Q(author_id=persona.user_id)
    return qs.filter(condition)


def remark_list_for(user) -> QuerySet[Remark]:
    """Visible remarks with what a list row shows, in a fixed number of queries."""
    return (
        remarks_visible_to(user)
        .select_related("category", "service", "agency", "author__commissioner", "assignee", "commission")
        .with_overdue_flag()
    )


def roles_on(user, remark: Remark) -> frozenset[Role]:
    """The user's roles towards this remark, as the workflow table names them."""
    persona = persona_of(user)
    roles = set()
    if persona.user_id is None:
        return frozenset()
    if remark.author_id == persona.user_id:
        roles.add(Role.AUTHOR)
    if persona.is_coordinator:
        roles.add(Role.COORDINATOR)
    if remark.agency_id is not None:
        if remark.agency_id in persona.head_of:
            roles.update({Role.HEAD, Role.OFFICER})
        elif remark.agency_id in persona.officer_of:
            roles.add(Role.OFFICER)
    if remark.commission_id is not None and remark.commission_id in persona.commission_ids:
        roles.add(Role.SECRETARY)
    return frozenset(roles)


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
    roles = roles_on(user, remark)
    now = now or timezone.now()
    result = []
    for transition in workflow.transitions_from(remark.status):
        if not transition.roles & roles:
            continue
        if transition.action == Action.REOPEN and workflow.reopen_window_guard(remark.closed_at, now):
            continue
        result.append(transition)
    return result


def visible_comments(user, remark: Remark):
    qs = remark.comments.select_related("author__commissioner")
    if not persona_of(user).sees_internal_notes:
        qs = qs.filter(internal=False)
    return qs


def home_url_name(user) -> str:
    """Where each role lands after login."""
    persona = persona_of(user)
    if persona.is_commissioner:
        return "remarks:mine"
    if persona.is_coordinator or persona.agency_ids or persona.is_superuser:
        return "remarks:list"
    if persona.is_secretary:
        return "agencies:commission"
    if persona.is_analyst:
        return "stats:index"
    return "remarks:list"


SIMILAR_RECENT_DAYS = 30
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
    recent = Q(status__in=workflow.OPEN) | Q(closed_at__gte=timezone.now() - dt.timedelta(days=SIMILAR_RECENT_DAYS))
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


DIGEST_WORKING_DAYS = 3


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


def overdue_digest_for(*, today) -> list[OverdueDigest]:
    """A digest per (head, agency) that has anything overdue or due within
    DIGEST_WORKING_DAYS working days; in two queries whatever the number of agencies."""
    from django.conf import settings

    from remarks import deadlines

    horizon = deadlines.add_working_days(today, DIGEST_WORKING_DAYS)
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
            overdue=[r for r in remarks if r.due_date < today],
            due_soon=[r for r in remarks if r.due_date >= today],
        ))
    return digests
