"""Login hardening: the second factor (TOTP) for staff, their short idle sessions, and the
page shown when django-axes locks out a username from an address.

What a login still owes is decided once, at login (`_on_login`), and kept in the session,
so the middleware costs no query on ordinary requests: "verify" for anyone with a confirmed
authenticator, "setup" for admin users and the users settings.TWO_FACTOR_REQUIRED_FOR names
when STAFF_2FA_REQUIRED is on. Logging out flushes the session and with it the pending step.
The admin alone asks again on every request (`_admin_step`): it is where one password would
open everything.

Who is staff and who must use a second factor is the domain's to say: two callables named in
settings (TWO_FACTOR_ALLOWED_FOR, TWO_FACTOR_REQUIRED_FOR), so this module imports no app."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device, verify_token
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from core.redirects import safe_next

STEP_SESSION_KEY = "twofactor_step"
CANDIDATE_SESSION_KEY = "twofactor_candidate_key"
VERIFY, SETUP = "verify", "setup"


def may_use_2fa(user) -> bool:
    """Staff: admin users and whom settings.TWO_FACTOR_ALLOWED_FOR accepts. They may set up
    a second factor, and their sessions expire when idle."""
    return user.is_staff or import_string(settings.TWO_FACTOR_ALLOWED_FOR)(user)


def must_use_2fa(user) -> bool:
    """Admin users (who can change anything in the admin) and whom settings.TWO_FACTOR_REQUIRED_FOR
    names: sent to the setup when STAFF_2FA_REQUIRED is on."""
    return user.is_staff or user.is_superuser or import_string(settings.TWO_FACTOR_REQUIRED_FOR)(user)


# --- at login -------------------------------------------------------------------------------


def _on_login(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    staff = may_use_2fa(user)
    if staff:
        # Renewed as it is used (core.sessions), so this is an idle timeout.
        session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
    if getattr(user, "otp_device", None) is None:
        # A fresh password login never inherits the second factor of an earlier one.
        session.pop(DEVICE_ID_SESSION_KEY, None)
    if user_has_device(user):
        session[STEP_SESSION_KEY] = VERIFY
    elif settings.STAFF_2FA_REQUIRED and staff and must_use_2fa(user):
        session[STEP_SESSION_KEY] = SETUP
    else:
        session.pop(STEP_SESSION_KEY, None)


user_logged_in.connect(_on_login, dispatch_uid="core.twofactor.on_login")


# --- on every request -------------------------------------------------------------------------


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("login"),
        reverse("logout"),
        "/accounts/2fa/",
        "/i18n/",
        settings.STATIC_URL,
        reverse("healthz"),
    )


def _admin_step(request: HttpRequest) -> str | None:
    """The admin asks again on every request, whatever the session remembers (a login from
    before STAFF_2FA_REQUIRED was turned on, a session made some other way): an admin user
    reaches no admin page with a password alone when a second factor is due."""
    user = request.user
    if not user.is_authenticated or not (user.is_staff or user.is_superuser) or user.is_verified():
        return None
    if user_has_device(user):
        return VERIFY
    return SETUP if settings.STAFF_2FA_REQUIRED and must_use_2fa(user) else None


class TwoFactorMiddleware:
    """Sends a login that still owes its second factor to the verify (or setup) page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No session cookie, nothing pending: do not even load a session.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            step = request.session.get(STEP_SESSION_KEY)
            if not step and request.path_info.startswith(reverse("admin:index")):
                step = _admin_step(request)
            if step and not request.path_info.startswith(_exempt_prefixes()):
                target = reverse("twofactor_verify" if step == VERIFY else "twofactor_setup")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


# --- pages ------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6-digit code shown in your authenticator app."))
        return code


def _next_url(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _finish(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    request.session.pop(STEP_SESSION_KEY, None)
    request.session.pop(CANDIDATE_SESSION_KEY, None)
    return redirect(_next_url(request))


def _qr_svg_data_uri(text: str) -> str:
    # An <img> with a data: URI keeps the markup free of inline styles (strict CSP).
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@transaction.atomic
def totp_device_confirm(*, user, key: str, totp: TOTP) -> TOTPDevice:
    """Keep the authenticator the user has just proved to hold; the code used is spent."""
    return TOTPDevice.objects.create(
        user=user, name=str(_("Authenticator app")), key=key, confirmed=True, last_t=totp.t(), drift=totp.drift
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    if not may_use_2fa(request.user):
        raise PermissionDenied
    device = next(devices_for_user(request.user), None)
    if device is not None:
        if request.session.get(STEP_SESSION_KEY) == SETUP:
            request.session.pop(STEP_SESSION_KEY)
        return render(request, "core/twofactor_setup.html", {"enabled": True, "next": _next_url(request)})
    # The secret lives in the session until the user proves to have it: no half-made devices.
    key = request.session.get(CANDIDATE_SESSION_KEY) or random_hex(20)
    request.session[CANDIDATE_SESSION_KEY] = key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        totp = TOTP(bytes.fromhex(key))
        totp.time = timezone.now().timestamp()
        if totp.verify(int(form.cleaned_data["code"]), tolerance=1):
            device = totp_device_confirm(user=request.user, key=key, totp=totp)
            messages.success(request, _("Two-factor login is on. You will be asked for a code at each login."))
            return _finish(request, device)
        form.add_error("code", _("The code is wrong or has expired. Check the clock of your phone and try again."))
    candidate = TOTPDevice(user=request.user, key=key)
    secret = base64.b32encode(candidate.bin_key).decode("ascii")
    return render(
        request,
        "core/twofactor_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "otpauth_uri": candidate.config_url,
            "qr": _qr_svg_data_uri(candidate.config_url),
            "required": request.session.get(STEP_SESSION_KEY) == SETUP,
            "next": _next_url(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    device = next(devices_for_user(request.user), None)
    if device is None:
        request.session.pop(STEP_SESSION_KEY, None)
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _("Too many wrong codes. Wait a little and try again."))
        elif (verified := verify_token(request.user, device.persistent_id, form.cleaned_data["code"])) is not None:
            return _finish(request, verified)
        else:
            form.add_error("code", _("The code is wrong or has expired. Try the code your app shows now."))
    return render(request, "core/twofactor_verify.html", {"form": form, "next": _next_url(request)})


# --- django-axes ------------------------------------------------------------------------------


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page with the lockout message, in the user's language."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {"form": AuthenticationForm(request), "minutes": minutes, "next": request.POST.get("next", "")}
    return render(request, "core/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the visitor's address, read from X-Forwarded-For only as far
    as TRUSTED_PROXY_COUNT proxies of our own have written it (the rest can be forged)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username as typed, cut to the longest a user can have and
    without NUL, so a 100 kB or binary "username" is recorded as a failed login rather than
    breaking the database column of the attempt (PostgreSQL: DataError, ValueError)."""
    from django.contrib.auth import get_user_model

    username = credentials.get("username") if credentials else request.POST.get("username")
    if username is None:
        return None
    model = get_user_model()
    return str(username).replace("\x00", "")[: model._meta.get_field(model.USERNAME_FIELD).max_length]
