"""View decorators for role checks that are not about one remark (those go through
remarks.selectors.get_remark_for_user)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from remarks.selectors import persona_of


def persona_required(test):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not test(persona_of(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


statistics_required = persona_required(lambda p: p.sees_statistics)
secretary_required = persona_required(lambda p: p.is_secretary or p.is_superuser)
coordinator_required = persona_required(lambda p: p.is_coordinator or p.is_superuser)
staff_required = persona_required(lambda p: p.is_staff_member or p.is_superuser)
