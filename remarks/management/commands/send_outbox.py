"""Deliver here and now the outbox e-mails that are due, for an installation without a
worker (`manage.py worker` does this on its own); from cron, for example:

    */5 * * * *  cd /srv/tracker && .venv/bin/python manage.py send_outbox

E-mails the mail server refuses wait with backoff (remarks.outbox), as with the worker; it is
safe to run beside workers and on several nodes at once.
"""

from django.core.management.base import BaseCommand

from remarks.outbox import deliver_due


class Command(BaseCommand):
    help = "Deliver the outbox e-mails that are due now (those refused earlier are retried with backoff)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit: int, **options):
        sent, failed = deliver_due(limit=limit)
        self.stdout.write(f"sent {sent}, failed {failed}")
