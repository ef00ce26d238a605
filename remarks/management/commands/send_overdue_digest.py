"""E-mail each agency head the agency's overdue remarks and those due within the next few
working days (remarks.terms.DUE_SOON_WORKING_DAYS).

With a worker running (`manage.py worker`) the digest goes out by itself at 08:00 on each
working day, once whatever the number of workers (settings.PERIODIC_JOBS). Without one, run
this command every working morning from cron, for example (08:00 Astana time):

    0 8 * * 1-5  cd /srv/app && .venv/bin/python manage.py send_overdue_digest

The e-mails are written to the outbox in one transaction and delivered right after; any the
mail server refuses stay in the outbox and are retried with backoff (by the worker, or by
`manage.py send_outbox`). The command does not check whether today's digest has gone out
already: running it by hand besides a worker sends it twice.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from remarks import outbox, services, terms
from remarks.models import OutboxEmail


class Command(BaseCommand):
    help = (f"E-mail each agency head the agency's overdue remarks and those due within "
            f"{terms.DUE_SOON_WORKING_DAYS} working days.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is this day (YYYY-MM-DD); for checks.")

    def handle(self, *args, date=None, **options):
        import datetime as dt

        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from None
        emails = services.overdue_digest_queue(today=today)
        ids = [email.pk for email in emails]
        for pk in ids:
            outbox.deliver(pk)
        sent = OutboxEmail.objects.filter(pk__in=ids, state=OutboxEmail.State.SENT).count()
        failed = len(ids) - sent
        self.stdout.write(
            f"Overdue digest for {today.isoformat()}: {len(emails)} e-mails to agency heads and coordinators queued, "
            f"{sent} sent, {failed} left in the outbox to be retried."
        )
