"""What the lists, filters, statistics and digests ask of remarks, as queryset methods and
conditions: `Remark.objects.open()`, `.overdue()`..., and `overdue_q`, the one definition
of *overdue* for an aggregate or an annotation."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from remarks.workflow import AWAITING_ROUTING, CLOCK_RUNNING, CLOSED, OPEN, WITH_COMMISSION


def search_text(title: str, description: str) -> str:
    """What the SQLite search compares with the case-folded query: Cyrillic folds too."""
    return f"{title}\n{description}".casefold()


def overdue_q(today: dt.date | None = None) -> Q:
    """The one definition of *overdue*: open with its clock running, and past its due date
    (local date). Lists, filters, statistics and the heads' digest all ask this."""
    return Q(status__in=CLOCK_RUNNING, due_date__lt=today or timezone.localdate())


def due_soon_horizon(today: dt.date | None = None) -> dt.date:
    """The last due date that counts as "due soon": terms.DUE_SOON_WORKING_DAYS working days on."""
    from remarks import deadlines, terms

    return deadlines.add_working_days(today or timezone.localdate(), terms.DUE_SOON_WORKING_DAYS)


def at_risk_q(today: dt.date | None = None) -> Q:
    """Overdue, or due soon: open with its clock running and due by the horizon. What the
    heads' queue opens on and their digest lists."""
    return Q(status__in=CLOCK_RUNNING, due_date__lte=due_soon_horizon(today))


def needs_new_assignee_q() -> Q:
    """Open, with an assignee who is no longer an active officer or head of its agency (the
    membership ended, or the account was deactivated): the agency's head hands it over."""
    from agencies.models import AgencyMembership

    M = AgencyMembership.Role
    still_there = AgencyMembership.objects.filter(
        user_id=models.OuterRef("assignee_id"), agency_id=models.OuterRef("agency_id"),
        role__in=[M.OFFICER, M.HEAD], user__is_active=True)
    return Q(status__in=OPEN, assignee__isnull=False, agency__isnull=False) & ~models.Exists(still_there)


def awaiting_agenda_q() -> Q:
    """With the commission and on no session's agenda yet: what its secretary schedules."""
    from agencies.models import CommissionSession

    on_agenda = CommissionSession.agenda.through.objects.filter(remark_id=models.OuterRef("pk"))
    return Q(status__in=WITH_COMMISSION) & ~models.Exists(on_agenda)


def routing_overdue_q(today: dt.date | None = None) -> Q:
    """Waiting to be routed past its routing date (3 working days from registration)."""
    return Q(status__in=AWAITING_ROUTING, routing_due__lt=today or timezone.localdate())


def of_agencies_q(agency_ids) -> Q:
    """Led by one of these agencies, or co-executed by one (a subquery: no duplicate rows)."""
    from remarks.models import Remark

    co_executed = Remark.co_agencies.through.objects.filter(agency_id__in=agency_ids).values("remark_id")
    return Q(agency_id__in=agency_ids) | Q(pk__in=co_executed)


class RemarkQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN)

    def closed(self):
        return self.filter(status__in=CLOSED)

    def with_commission(self):
        return self.filter(status__in=WITH_COMMISSION)

    def text_search(self, value: str):
        """The one text search of remarks (the queue's box, the similar-remark check at filing).
        PostgreSQL: the exact words (the "simple" GIN index of migration 0002), their Russian
        word forms (the "russian" index of 0012) or, for Kazakh, which has no configuration, a
        stretch of text whose trigrams match the query's (pg_trgm's word similarity of at least
        terms.SEARCH_WORD_SIMILARITY; trigram index of 0012). Each branch is an indexed
        condition (the annotations are the indexes' expressions), so the planner ORs three index
        scans. SQLite: the case-folded text contains the case-folded query."""
        from django.db import connections

        folded = value.casefold()
        if connections[self.db].vendor != "postgresql":
            return self.filter(search_text__contains=folded)
        from django.contrib.postgres.lookups import TrigramWordSimilar
        from django.contrib.postgres.search import SearchQuery, TrigramWordSimilarity

        from remarks import terms
        from remarks.models import search_vector

        return self.annotate(
            search_document=search_vector(), search_document_ru=search_vector("russian"),
            word_similarity=TrigramWordSimilarity(folded, "search_text"),
        ).filter(
            Q(search_document=SearchQuery(value, config="simple", search_type="websearch"))
            | Q(search_document_ru=SearchQuery(value, config="russian", search_type="websearch"))
            # The lookup as an expression: the `%>` operator the trigram index serves, without
            # installing django.contrib.postgres (SQLite deployments stay free of it).
            | (Q(TrigramWordSimilar(models.F("search_text"), models.Value(folded)))
               & Q(word_similarity__gte=terms.SEARCH_WORD_SIMILARITY))
        )

    def overdue(self, today=None):
        return self.filter(overdue_q(today))

    def routing_overdue(self, today=None):
        return self.filter(routing_overdue_q(today))

    def with_overdue_flag(self, today=None):
        return self.annotate(
            is_overdue=models.Case(
                models.When(overdue_q(today), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            is_routing_overdue=models.Case(
                models.When(routing_overdue_q(today), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            needs_new_assignee=models.Case(
                models.When(needs_new_assignee_q(), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
        )

    def needs_new_assignee(self):
        return self.filter(needs_new_assignee_q())
