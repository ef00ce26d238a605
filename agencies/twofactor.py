"""Who among the staff of agencies uses a second factor at login. core.twofactor asks these
through settings (TWO_FACTOR_ALLOWED_FOR, TWO_FACTOR_REQUIRED_FOR), so the login machinery
knows no domain model."""

from agencies.models import AgencyMembership

M = AgencyMembership.Role
# The roles that route, extend, close and decide: they must set up a second factor when
# STAFF_2FA_REQUIRED is on. Officers and analysts may choose.
ROLES_REQUIRING_TWO_FACTOR = frozenset({M.COORDINATOR, M.HEAD, M.SECRETARY})


def may_use_two_factor(user) -> bool:
    """A member of any agency in any role: staff, who may set up a second factor (and whose
    sessions expire when idle)."""
    return AgencyMembership.objects.filter(user=user).exists()


def must_use_two_factor(user) -> bool:
    return AgencyMembership.objects.filter(user=user, role__in=ROLES_REQUIRING_TWO_FACTOR).exists()
