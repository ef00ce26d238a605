"""Sessions refreshed now and then, not on every request.

Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) turns each page view into an
UPDATE in its own transaction, the login page included. Here a session is saved again only
when a tenth of its lifetime has passed since it was last saved: a staff session of 30 minutes
is renewed at most every 3 minutes, so it still ends 27 to 30 minutes after its user's last
request, and a commissioner's 8 hours at most every 48 minutes."""

import time

from django.contrib.auth.signals import user_logged_in

REFRESHED_KEY = "_refreshed_at"


def _on_login(sender, request, user, **kwargs):
    """A login saves the session anyway: stamped then, its first page writes nothing."""
    session = getattr(request, "session", None)
    if session is not None:
        session[REFRESHED_KEY] = int(time.time())


user_logged_in.connect(_on_login, dispatch_uid="core.sessions.on_login")


class SessionRefreshMiddleware:
    """After SessionMiddleware: stamps the session, which makes SessionMiddleware save it with
    a new expiry date, once a tenth of its lifetime has passed since the last stamp."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or session.is_empty() or session.modified:
            return response
        now = int(time.time())
        if now - session.get(REFRESHED_KEY, 0) >= session.get_expiry_age() // 10:
            session[REFRESHED_KEY] = now
        return response
