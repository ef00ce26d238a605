"""Password reset: Django's views, with the e-mail written to the outbox and the requests
throttled in the database.

The e-mail is a row of the request's transaction (settings.OUTBOX_QUEUE, so core imports no
domain app), delivered and retried by the workers: a slow or refusing mail server neither
holds up the page nor loses the link. It is written in the language of the request, and its
link is built on SITE_URL, never on the Host header a visitor sent.

Requests are counted per e-mail address and per client address (the one the login lockout
counts). Over either limit nothing is queued, and the page is the same "sent" page as for an
address we do not know: the form never tells whether an account exists."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from core import throttle
from core.twofactor import client_ip

logger = logging.getLogger(__name__)
WINDOW = timedelta(hours=1)


class OutboxPasswordResetForm(PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        import_string(settings.OUTBOX_QUEUE)(to=to_email, subject=subject, body=body)


def password_reset_allowed(request: HttpRequest, email: str) -> bool:
    """Count this request; the address first, so that a client over its limit spends nothing
    of the e-mail address's allowance."""
    if not throttle.allow(f"password-reset:address:{client_ip(request) or ''}",
                          limit=settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR, window=WINDOW):
        logger.warning("password reset refused: too many requests from one client address")
        return False
    if not throttle.allow(f"password-reset:email:{email.strip().casefold()}",
                          limit=settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR, window=WINDOW):
        logger.warning("password reset refused: too many requests for one e-mail address")
        return False
    return True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form: OutboxPasswordResetForm) -> HttpResponse:
        if not password_reset_allowed(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        }
        with transaction.atomic():  # every account of the address gets its e-mail, or none does
            return super().form_valid(form)
