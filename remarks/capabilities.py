"""Who may do what: every capability is a named rule, decided here and asked one way.

    capabilities.has_perm(user, "remarks.resolve_remark", remark)    # views, services, selectors
    {% load capabilities %}{% has_perm "remarks.resolve_remark" user remark as may_resolve %}

The rules are predicates of the `rules` package, registered in its permission set and asked
through `rules.has_perm`, never through Django's `User.has_perm`: that one says yes to every
active superuser before any backend is asked, and the operator of the installation holds no
business capability (they keep reading, through the admin and the read-only pages).

A capability that scopes rows (which remarks a user may read) is one predicate plus one
queryset filter, side by side in this module, so that a list and a page give the same answer.
The user's persona (memberships, read once per request) and their roles towards one remark
are decided here too; this is the only module that tests roles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import rules
from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from agencies.models import AgencyMembership
from remarks import workflow
from remarks.workflow import Action, Role

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

    is_coordinator = property(lambda self: bool(self.coordinator_of))
    is_secretary = property(lambda self: bool(self.secretary_of))
    is_analyst = property(lambda self: bool(self.analyst_of))

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


ANONYMOUS = Persona(user_id=None)


def persona_of(user) -> Persona:
    """The user's persona, cached on the user object for the length of the request: one query,
    the memberships joined to the user row with the commissioner flag beside them."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_persona", None)
    if cached is not None:
        return cached
    from agencies.models import Commission
    from commissioners.models import Commissioner

    rows = list(get_user_model().objects.filter(pk=user.pk).annotate(
        active_commissioner=Exists(Commissioner.objects.filter(user=OuterRef("pk"), active=True))
    ).values_list("active_commissioner", "memberships__agency_id", "memberships__role"))
    by_role: dict[str, set[int]] = {role: set() for role in M.values}
    for _, agency_id, role in rows:
        if role is not None:
            by_role[role].add(agency_id)
    commission_ids = frozenset(
        Commission.objects.filter(host_id__in=by_role[M.SECRETARY]).values_list("pk", flat=True)
    ) if by_role[M.SECRETARY] else frozenset()
    persona = Persona(
        user_id=user.pk,
        is_commissioner=any(row[0] for row in rows),
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


def has_perm(user, name: str, obj=None) -> bool:
    """Ask one capability. The rules' own answer: no superuser short-circuit."""
    return rules.has_perm(name, user, obj)


def perm_for(action: Action | str) -> str:
    """The capability of one workflow action: "remarks.resolve_remark"."""
    return f"remarks.{Action(action).value}_remark"


# --- roles towards one remark ----------------------------------------------------------


def roles_on(user, remark) -> frozenset[Role]:
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
    if persona.agency_ids - {remark.agency_id} and co_agency_ids(remark) & persona.agency_ids:
        roles.add(Role.CO_EXECUTOR)
    return frozenset(roles)


def co_agency_ids(remark) -> frozenset[int]:
    """The remark's co-executing agencies, read once per remark object."""
    if remark.pk is None:
        return frozenset()
    cached = getattr(remark, "_co_agency_ids", None)
    if cached is None:
        cached = remark._co_agency_ids = frozenset(remark.co_agencies.values_list("pk", flat=True))
    return cached


def acting_roles(user, remark, transition: workflow.Transition) -> frozenset[Role]:
    """The roles in which the user may take this transition on this remark (empty: none)."""
    return roles_on(user, remark) & transition.roles


def signs_for_agency(roles: frozenset[Role]) -> bool:
    """The executing agency's own staff sign its answers; a coordinator signs for the ministry."""
    return bool(roles & {Role.OFFICER, Role.HEAD})


def may_route_elsewhere(roles: frozenset[Role]) -> bool:
    """Only a coordinator routes a remark to another agency; a head reassigns inside their own."""
    return Role.COORDINATOR in roles


def ministry_agency_id(user) -> int | None:
    """The ministry a coordinator answers for."""
    coordinator_of = persona_of(user).coordinator_of
    return min(coordinator_of) if coordinator_of else None


# --- reading remarks: one predicate and one queryset filter -----------------------------


def visible_remarks_q(user) -> Q | None:
    """The filter of the remarks this user may read; None means every remark."""
    persona = persona_of(user)
    if persona.sees_all_remarks:
        return None
    from remarks.querysets import of_agencies_q

    condition = Q(pk__in=[])
    if persona.agency_ids:
        condition |= of_agencies_q(persona.agency_ids)
    if persona.commission_ids:
        condition |= Q(commission_id__in=persona.commission_ids)
    if persona.user_id:
        condition |= Q(author_id=persona.user_id)
    return condition


def led_remarks_q(user) -> Q | None:
    """A part of what this user may read that an index finds without an OR, to count first
    (listing.capped_counts): what their agencies lead. None: they read everything, or lead none."""
    persona = persona_of(user)
    if persona.sees_all_remarks or not persona.agency_ids:
        return None
    return Q(agency_id__in=persona.agency_ids)  # within visible_remarks_q: of_agencies_q ORs it


@rules.predicate
def may_view_remark(user, remark) -> bool:
    persona = persona_of(user)
    if persona.user_id is None or remark is None:
        return False
    if persona.sees_all_remarks or remark.author_id == persona.user_id:
        return True
    if remark.agency_id in persona.agency_ids or remark.commission_id in persona.commission_ids:
        return True
    return bool(co_agency_ids(remark) & persona.agency_ids) if persona.agency_ids else False


# --- workflow actions ------------------------------------------------------------------


def may_take(user, remark, transition: workflow.Transition, now: dt.datetime | None = None) -> bool:
    """The table allows this transition from the remark's state, the user acts in one of its
    roles, and the remark's own rules (remarks.actions.precondition_error) let it go ahead."""
    from remarks.actions import precondition_error

    return (remark is not None and remark.status in transition.sources
            and bool(acting_roles(user, remark, transition))
            and precondition_error(transition.action, remark, now or timezone.now()) is None)


def _action_predicate(transition: workflow.Transition):
    @rules.predicate(name=perm_for(transition.action))
    def predicate(user, remark) -> bool:
        return may_take(user, remark, transition)

    return predicate


for _transition in workflow.TRANSITIONS.values():
    rules.add_perm(perm_for(_transition.action), _action_predicate(_transition))
del _transition


def available_transitions(user, remark, *, now: dt.datetime | None = None) -> list[workflow.Transition]:
    """The transitions the table allows this user on this remark now, guards included."""
    now = now or timezone.now()
    return [t for t in workflow.transitions_from(remark.status) if may_take(user, remark, t, now)]


# --- everything else a user may do ----------------------------------------------------


def _persona_rule(test):
    return rules.predicate(lambda user: test(persona_of(user)))


is_commissioner = _persona_rule(lambda p: p.is_commissioner)
is_coordinator = _persona_rule(lambda p: p.is_coordinator)
is_secretary = _persona_rule(lambda p: p.is_secretary)
works_an_agency_queue = _persona_rule(lambda p: bool(p.agency_ids))
is_staff_member = _persona_rule(lambda p: p.is_staff_member)
is_operator = _persona_rule(lambda p: p.is_superuser)
reads_statistics = _persona_rule(lambda p: p.is_analyst or p.is_coordinator or p.is_superuser)
reads_commission = _persona_rule(lambda p: p.is_secretary or p.is_coordinator or p.is_analyst or p.is_superuser)
reads_meetings = _persona_rule(lambda p: p.is_staff_member or p.is_commissioner or p.is_superuser)


@rules.predicate
def is_author(user, remark) -> bool:
    return remark is not None and persona_of(user).user_id == remark.author_id


@rules.predicate
def is_resolved(user, remark) -> bool:
    return remark is not None and remark.status in workflow.RESOLVED_STATES


@rules.predicate
def holds_the_commission(user, commission_or_session) -> bool:
    commission_id = getattr(commission_or_session, "commission_id", None) or getattr(commission_or_session, "pk", None)
    return commission_id is not None and commission_id in persona_of(user).commission_ids


PERMISSIONS = {
    "remarks.view_remark": may_view_remark,
    "remarks.view_receipt": may_view_remark & (is_author | is_staff_member),  # not other commissioners
    "remarks.download_letter": may_view_remark & (is_author | is_staff_member),  # (DESIGN's policy table)
    "remarks.correct_letter": may_view_remark & (is_coordinator | works_an_agency_queue | is_secretary),
    "remarks.file_remark": is_commissioner,
    # Supporting, or taking the support back; a closed remark gains no new support.
    "remarks.support_remark": is_commissioner & ~is_author,
    "remarks.confirm_remark": is_author & is_resolved,
    "remarks.comment_remark": may_view_remark & (is_commissioner | is_staff_member),
    "remarks.support_remarks": is_commissioner,
    "remarks.view_internal_notes": is_staff_member | is_operator,
    "remarks.write_internal_note": is_staff_member,
    "remarks.view_assignee": is_staff_member | is_operator,
    "remarks.view_queue": is_staff_member | is_operator,
    "remarks.work_queue": is_coordinator | works_an_agency_queue,
    "remarks.export_remarks": is_staff_member | is_operator,
    "remarks.bulk_act": is_coordinator | works_an_agency_queue,
    "remarks.bulk_accept": is_coordinator,
    "remarks.choose_any_assignee": is_coordinator | is_operator,
    "remarks.apply_any_measure": is_coordinator,
    "remarks.view_statistics": reads_statistics,
    "remarks.view_delivery_health": is_coordinator | is_operator,
    "remarks.moderate_publication": is_coordinator,
    "agencies.view_commission": reads_commission,
    "agencies.view_all_commissions": is_coordinator | is_operator | _persona_rule(lambda p: p.is_analyst),
    "agencies.hold_session": holds_the_commission,
    "agencies.set_agenda": holds_the_commission,
    "agencies.hold_any_session": is_secretary,
    "commissioners.view_meetings": reads_meetings,
    "commissioners.manage_meetings": is_coordinator,
}
for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
del _name, _predicate


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


@dataclass(frozen=True)
class NeedsMe:
    """What waits for this reader: the rows (within what they may read), their order, and the
    parts the queue reads one after the other (the order's first key: listing.SeekPage), each
    a condition that implies `condition`, so that a part is read without it."""

    condition: Q
    ordering: tuple
    seek_parts: tuple[Q, ...] = ()
    within: Q | None = None  # a part of the rows within led_remarks_q, to count first


def needs_me(user, *, today: dt.date | None = None) -> NeedsMe | None:
    """The queue's "needs me" view of this user, None for readers with no work of their own
    (commissioners, analysts, the operator). A coordinator: remarks to route, oldest routing
    date first. An officer: their own, then the agency's open ones by due date. A head: also
    the agency's overdue and due-soon remarks and those that need a new assignee. A secretary:
    escalated remarks on no session's agenda yet. Several roles add up; the first sets the order."""
    from remarks import querysets

    persona = persona_of(user)
    parts, ordering, mine = [], None, None
    if persona.coordinator_of:
        parts.append(Q(status__in=workflow.AWAITING_ROUTING))
        ordering = ("routing_due", "pk")
    if persona.agency_ids:
        parts.append(Q(status__in=workflow.OPEN, assignee_id=persona.user_id))
    if persona.officer_of:
        parts.append(Q(status__in=workflow.OPEN) & querysets.of_agencies_q(persona.officer_of))
    if persona.head_of:
        parts.append((querysets.of_agencies_q(persona.head_of) & querysets.at_risk_q(today))
                     | (Q(agency_id__in=persona.head_of) & querysets.needs_new_assignee_q()))
    if persona.agency_ids and ordering is None:
        mine = Q(assignee_id=persona.user_id)
        ordering = (Case(When(mine, then=Value(0)), default=Value(1), output_field=IntegerField()).asc(),
                    "due_date", "pk")
    if persona.commission_ids:
        parts.append(Q(commission_id__in=persona.commission_ids) & querysets.awaiting_agenda_q())
        ordering = ordering or ("due_date", "pk")
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    # Each part implies the condition and is read without it: ANDed with the whole view, the own
    # part's estimate fell to a sixtieth and 20,000 open remarks were sorted, not walked.
    seek_parts = (Q(status__in=workflow.OPEN) & mine, condition & ~mine) if mine is not None else ()
    within = Q(status__in=workflow.OPEN, agency_id__in=persona.officer_of) if persona.officer_of else None
    return NeedsMe(condition=condition, ordering=ordering, seek_parts=seek_parts, within=within)


def assignable_staff_scope(user) -> Q | None:
    """Whom this user may pick as an assignee in the queue's filter: None for anyone."""
    persona = persona_of(user)
    anyone = has_perm(user, "remarks.choose_any_assignee") or persona.sees_all_remarks
    return None if anyone else Q(memberships__agency_id__in=persona.agency_ids)


def measures_scope(user) -> Q | None:
    """Which systemic measures this user may apply: None for all, else their agencies'."""
    return None if has_perm(user, "remarks.apply_any_measure") else Q(agency_id__in=persona_of(user).agency_ids)


def commissions_scope(user) -> Q | None:
    """Which commissions this user reads: None for all."""
    return None if has_perm(user, "agencies.view_all_commissions") else Q(pk__in=persona_of(user).commission_ids)


def held_commission_ids(user) -> frozenset[int]:
    return persona_of(user).commission_ids  # the commissions whose sessions they hold (as secretary)

