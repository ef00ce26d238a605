"""Writes and checks of personal API keys: made (shown once), revoked, recognised on a
request. A staff key (a member of an agency, or an admin user) needs a session verified with
the second factor to be made, reads only, and expires; it is revoked when a membership of its
owner ends."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyMembership
from core.twofactor import may_use_2fa
from open311.models import ApiKey
from open311.terms import term
from remarks import capabilities

KEY_PREFIX = "dc311_"


class ApiKeyError(Exception):
    """A key that cannot be made or used; the message says why, in the reader's language."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message, self.status = message, status


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def is_staff_key_owner(user) -> bool:
    """Staff as the second factor counts them: members of agencies, and admin users."""
    return may_use_2fa(user)


def may_hold_keys(user) -> bool:
    persona = capabilities.persona_of(user)
    return persona.is_commissioner or persona.is_staff_member or persona.is_superuser


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    raw: str  # shown once, never stored


@transaction.atomic
def key_create(*, user, name: str, verified: bool, now=None) -> NewKey:
    """Make a key for `user`; `verified`: the session passed the second factor."""
    now = now or timezone.now()
    if not may_hold_keys(user):
        raise ApiKeyError(_("API keys are for digital commissioners and staff."))
    staff = is_staff_key_owner(user)
    if staff and not verified:
        raise ApiKeyError(_("Staff can make API keys only after logging in with the second factor."))
    # Locks the user's row: two clicks at once cannot pass the cap together.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiKey.objects.filter(user=user).active(now).count() >= term("KEYS_PER_USER"):
        raise ApiKeyError(_("You already have %(count)s active API keys; revoke one first.")
                        % {"count": term("KEYS_PER_USER")}, status=400)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=user, name=name.strip(), prefix=raw[:len(KEY_PREFIX) + 6], digest=digest_of(raw),
        read_only=staff, created_at=now, expires_at=now + term("STAFF_KEY_LIFETIME") if staff else None,
    )
    return NewKey(key=key, raw=raw)


@transaction.atomic
def key_revoke(*, user, pk: int, now=None) -> ApiKey | None:
    """Revoke one of the user's own keys; None when it is not theirs (or does not exist)."""
    key = ApiKey.objects.select_for_update().filter(user=user, pk=pk).first()
    if key is not None and key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def staff_keys_revoke(*, user_id: int, now=None) -> int:
    """Revoke every staff key of the user that still works; returns how many."""
    return ApiKey.objects.filter(user_id=user_id, read_only=True, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now())


@receiver(post_delete, sender=AgencyMembership, dispatch_uid="open311.membership_ended")
def _membership_ended(sender, instance, **kwargs):
    # A membership ends by its row's deletion (in the admin, or with its user), and no service
    # of ours takes that path: the signal is the one place that sees every end of one.
    staff_keys_revoke(user_id=instance.user_id)


def key_for_request(raw: str, *, now=None) -> ApiKey:
    """The active key `raw` names, with its user; ApiKeyError (403) with the reason otherwise."""
    now = now or timezone.now()
    if not raw or len(raw) > 200 or not raw.isascii() or not raw.isprintable():
        raise ApiKeyError(_("The API key is not valid."))
    key = ApiKey.objects.select_related("user").filter(digest=digest_of(raw)).first()
    if key is None or not key.user.is_active:
        raise ApiKeyError(_("The API key is not valid."))
    if key.revoked_at is not None:
        raise ApiKeyError(_("This API key has been revoked."))
    if key.expires_at is not None and key.expires_at <= now:
        raise ApiKeyError(_("This API key expired on %(date)s.")
                        % {"date": timezone.localtime(key.expires_at).strftime("%d.%m.%Y")})
    if not key.read_only and is_staff_key_owner(key.user):
        # Made as a commissioner's key; staff keys are read-only, expire and need the second factor.
        raise ApiKeyError(_("This API key was made before you joined the staff: make a new one."))
    return key


def key_used(key: ApiKey, *, address: str | None, now=None) -> None:
    try:
        address = str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        address = None  # a forwarded header that names no address
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now or timezone.now(), last_used_address=address)
