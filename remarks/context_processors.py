from remarks import terms as legal_terms
from remarks.selectors import persona_of, unread_notifications


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "persona": persona_of(user),
        "unread_notifications": unread_notifications(request),
    }


def terms(request):
    """The legal terms and limits (remarks.terms) for the pages that state them, so a page
    never types a number of days of its own. E-mails get the same `terms` in their context."""
    return {"terms": legal_terms}
