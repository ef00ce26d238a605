from remarks.models import Notification
from remarks.selectors import persona_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "persona": persona_of(user),
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
    }
