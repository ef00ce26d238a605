"""Send the e-mails waiting in the outbox; run from cron every few minutes:

    */5 * * * *  cd /srv/tracker && .venv/bin/python manage.py send_outbox
"""

from django.core.management.base import BaseCommand

from remarks.services import outbox_send


class Command(BaseCommand):
    help = "Send e-mails waiting in the outbox (those the mail server refused earlier are retried)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit: int, **options):
        sent, failed = outbox_send(limit=limit)
        self.stdout.write(f"sent {sent}, failed {failed}")
