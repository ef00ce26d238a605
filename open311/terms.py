"""The API's rules with numbers, in one place (read by the views, the keys page, the help page
and the discovery document). Each can be changed in settings under the same name."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

# Keys.
KEYS_PER_USER = 5  # active (not revoked, not expired) keys a user may hold at once
STAFF_KEY_LIFETIME = timedelta(days=90)  # staff keys expire; commissioners' keys last until revoked

# Requests: the standard's default window and its cap.
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 100  # references in one service_request_id list

# Throttles, per key (or per client address without one), in the database.
READ_LIMIT, READ_WINDOW = 120, timedelta(minutes=1)
ANONYMOUS_LIMIT, ANONYMOUS_WINDOW = 60, timedelta(minutes=1)
FILE_LIMIT, FILE_WINDOW = 20, timedelta(hours=1)


def term(name: str):
    """A term, as settings override it (OPEN311_READ_LIMIT ...) or as defined here."""
    return getattr(settings, f"OPEN311_{name}", globals()[name])
