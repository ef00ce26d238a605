"""E-mail each agency head the agency's overdue remarks and those due within 3 working days.

Run it once every working morning from cron, for example (08:00 Astana time):

    0 8 * * 1-5  cd /srv/app && .venv/bin/python manage.py send_overdue_digest

The e-mails are written to the outbox in one transaction and sent right after; any the mail
server refuses stay in the outbox for `manage.py send_outbox` (run it every few minutes).
Running the digest twice on a day sends it twice: schedule it once.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from remarks import services


class Command(BaseCommand):
    help = "E-mail each agency head the agency's overdue remarks and those due within 3 working days."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is this day (YYYY-MM-DD); for checks.")

    def handle(self, *args, date=None, **options):
        import datetime as dt

        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from None
        emails = services.overdue_digest_queue(today=today)
        sent, failed = services.outbox_send(ids=[e.pk for e in emails]) if emails else (0, 0)
        self.stdout.write(
            f"Overdue digest for {today.isoformat()}: {len(emails)} e-mails to agency heads queued, "
            f"{sent} sent, {failed} left in the outbox for send_outbox."
        )
