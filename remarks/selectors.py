"""Reads, and who may read: every view fetches remarks through here."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import AgencyMembership
from remarks import capabilities, terms, workflow
from remarks.models import Notification, Remark, Support
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


def unread_notifications(request) -> int:
    """The reader's unread notifications (the header's count), counted once a request."""
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = Notification.objects.filter(
            user=request.user, read_at__isnull=True).count()
    return request._unread_notifications


def mark_notifications_read(request, remark: Remark) -> None:
    """Opening a remark reads its notifications; a reader with none unread costs no write."""
    unread = unread_notifications(request)
    if unread:
        request._unread_notifications = unread - Notification.objects.filter(
            user=request.user, remark=remark, read_at__isnull=True).update(read_at=remark.updated_at)


def remark_list_for(user) -> QuerySet[Remark]:
    """Visible remarks with what a list row shows, in a fixed number of queries; without their
    description and its case-folded copy, which no list shows (up to 10,000 characters a row)."""
    return (
        remarks_visible_to(user)
        .select_related("category", "service", "agency", "assignee", "commission")
        .defer("description", "search_text")
        .with_overdue_flag()
    )


def remarks_led_for(user) -> QuerySet[Remark] | None:
    """The part of remarks_visible_to(user) their agencies lead (capabilities.led_remarks_q), for
    counting only: None when there is no such part."""
    condition = capabilities.led_remarks_q(user)
    return None if condition is None else Remark.objects.filter(condition)


def get_remark_for_user(user, reference: str, *, act: bool = False) -> Remark:
    """Fetch and authorise in one call: 404 for a remark the user may not see, 403 when
    `act` is asked and the user may see it but take no action on it."""
    try:
        remark = (
            remarks_visible_to(user)
            .select_related(
                "category", "service", "agency", "proposed_agency", "author__commissioner", "assignee__commissioner",
                "receipt", "publication",
            )
            # What few remarks have is read only when one has it (no query for an empty link):
            # joined, these five more tables cost the planner about as much as the rest together.
            .prefetch_related("commission", "competent_agency", "duplicate_of", "measure", "repeat_of")
            .with_overdue_flag()
            .annotate(supported_by_reader=Exists(Support.objects.filter(remark=OuterRef("pk"), user=user.pk)))
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


def contributions_for(user, remark: Remark) -> dict:
    """The co-executors' part of a remark, for staff only (DESIGN.md's policy table), and the
    agencies that contributed, which every reader of the answer sees (names, never text)."""
    from remarks.models import Contribution, ContributionRequest

    contributions = list(Contribution.objects.filter(remark=remark).select_related("agency", "author"))
    staff = capabilities.has_perm(user, "remarks.view_internal_notes")
    return {
        "contributions": contributions if staff else [],
        "contribution_requests": list(ContributionRequest.objects.filter(remark=remark)
                                      .select_related("agency", "requested_by")) if staff else [],
        "contributed_by": sorted({str(c.agency) for c in contributions}),
    }


def visible_events(user, remark: Remark) -> list:
    """The history as this reader may read it: staff-only steps are left out for others."""
    qs = remark.events.select_related("actor__commissioner").order_by("created_at", "pk")
    if not capabilities.has_perm(user, "remarks.view_internal_notes"):
        qs = qs.exclude(action__in=sorted(workflow.STAFF_ONLY_ACTIONS))
    return list(qs)


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
    """Open or recently closed remarks on the same service or sector like `title`. On
    PostgreSQL: the queue's own search (Remark.objects.text_search: word forms, trigrams) of
    the title's significant words, any of them, ranked by the titles' trigram similarity, kept
    from terms.SIMILAR_TITLE_SIMILARITY up; on SQLite, titles that share significant words
    (the database counts them)."""
    import datetime as dt

    from django.db import connection
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
    candidates = remarks_visible_to(user).filter(scope, recent).exclude(author_id=user.pk)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        matching = Remark.objects.text_search(" ".join(words), any_word=True).values("pk")
        return (
            candidates.filter(pk__in=matching)
            .annotate(likeness=TrigramSimilarity("title", title))
            .filter(likeness__gte=terms.SIMILAR_TITLE_SIMILARITY)
            .select_related("category", "service")
            .order_by("-likeness", "-support_count", "-submitted_at")[:SIMILAR_LIMIT]
        )
    shared = sum((Case(When(title__icontains=w, then=Value(1)), default=Value(0), output_field=IntegerField())
                  for w in words), Value(0))
    return (
        candidates.annotate(shared_words=Coalesce(shared, Value(0)))
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
    """What one reader is told each working morning. An agency head: the agency's overdue
    and due-soon remarks, as the executing or a co-executing agency, and its open remarks that
    need a new assignee. A coordinator: the remarks whose routing is overdue, and the overdue
    ones of agencies with no head to tell. Only what the reader may read."""

    reader: object
    agency: object
    language: str
    today: object
    horizon: object
    overdue: list
    due_soon: list
    needs_assignee: list = ()
    routing_overdue: list = ()
    # The contributions asked of the agency as a co-executor, not given and due by the horizon.
    contributions_due: list = ()
    # "due soon" is due within this many working days (the horizon)
    working_days: int = terms.DUE_SOON_WORKING_DAYS

    @property
    def head(self):
        return self.reader

    @property
    def remarks(self) -> list:
        return [*self.routing_overdue, *self.overdue, *self.due_soon, *self.needs_assignee]


def _reader_language(user) -> str:
    """The language the reader chose for e-mails, else their commissioner profile's, else Kazakh."""
    from django.conf import settings

    from remarks.models import StaffNotificationSettings

    chosen = StaffNotificationSettings.objects.filter(user=user).values_list("language", flat=True).first()
    profile = getattr(user, "commissioner", None)
    return chosen or (profile.language if profile is not None else settings.LANGUAGE_CODE)


def _digest_rows(reader, condition: Q, today) -> list[Remark]:
    # Within what the reader may read, whatever the condition asks.
    from django.db.models import BooleanField, Case, When

    from remarks.querysets import at_risk_q

    return list(
        remarks_visible_to(reader).filter(condition).with_overdue_flag(today)
        .annotate(is_at_risk=Case(When(at_risk_q(today), then=True), default=False, output_field=BooleanField()))
        .only("pk", "reference", "title", "due_date", "routing_due", "agency_id", "status", "assignee_id")
        .order_by("due_date", "pk")
    )


def overdue_digest_for(*, today) -> list[OverdueDigest]:
    """A digest per (head, agency) with anything overdue, due within
    terms.DUE_SOON_WORKING_DAYS working days or needing a new assignee, and one per ministry
    coordinator with anything to route past its date; one query per reader."""
    from django.db.models import Exists, OuterRef

    from remarks.models import ContributionRequest
    from remarks.querysets import (
        at_risk_q,
        due_soon_horizon,
        needs_new_assignee_q,
        of_agencies_q,
        overdue_q,
        routing_overdue_q,
    )

    horizon = due_soon_horizon(today)
    told = AgencyMembership.objects.filter(role=M.HEAD, user__is_active=True).exclude(user__email="")
    digests = []
    for membership in told.select_related("user__commissioner", "agency").order_by("agency__code", "user_id"):
        agency_id = membership.agency_id
        rows = _digest_rows(membership.user, (of_agencies_q([agency_id]) & at_risk_q(today))
                            | (Q(agency_id=agency_id) & needs_new_assignee_q()), today)
        asked = list(ContributionRequest.objects.filter(agency_id=agency_id, contributed_at__isnull=True,
                                                        due_date__lte=horizon,
                                                        remark__status__in=sorted(
                                                            workflow.TRANSITIONS[workflow.Action.CONTRIBUTE].sources))
                     .select_related("remark").order_by("due_date", "pk"))
        if not rows and not asked:
            continue
        at_risk = [r for r in rows if r.is_at_risk]
        digests.append(OverdueDigest(
            reader=membership.user, agency=membership.agency, language=_reader_language(membership.user),
            today=today, horizon=horizon,
            overdue=[r for r in at_risk if r.is_overdue], due_soon=[r for r in at_risk if not r.is_overdue],
            needs_assignee=[r for r in rows if r.needs_new_assignee], contributions_due=asked,
        ))
    # Overdue where no head is told (no agency yet, or no head at the agency or a co-executor):
    # the ministry's coordinators hear of it.
    has_head = told.filter(agency_id=OuterRef("agency_id"))
    co_head = told.filter(agency__co_remarks=OuterRef("pk"))
    unheard = overdue_q(today) & ~Exists(has_head) & ~Exists(co_head)
    coordinators = (AgencyMembership.objects.filter(role=M.COORDINATOR, user__is_active=True,
                                                    agency__is_ministry=True)
                    .exclude(user__email="").select_related("user__commissioner", "agency")
                    .order_by("user_id"))
    seen: set[int] = set()
    for membership in coordinators:
        if membership.user_id in seen:
            continue  # a coordinator of two ministries gets one digest
        seen.add(membership.user_id)
        rows = _digest_rows(membership.user, routing_overdue_q(today) | unheard, today)
        if not rows:
            continue
        digests.append(OverdueDigest(
            reader=membership.user, agency=membership.agency, language=_reader_language(membership.user),
            today=today, horizon=horizon,
            routing_overdue=[r for r in rows if r.is_routing_overdue],
            overdue=[r for r in rows if r.is_overdue and not r.is_routing_overdue], due_soon=[],
        ))
    return digests
