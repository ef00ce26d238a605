"""View decorators that ask a capability which is not about one remark (those go through
remarks.selectors.get_remark_for_user)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from remarks.capabilities import has_perm


def capability_required(*names: str):
    """Log in, then hold at least one of these capabilities, else 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not any(has_perm(request.user, name) for name in names):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


statistics_required = capability_required("remarks.view_statistics")
staff_required = capability_required("remarks.export_remarks")

