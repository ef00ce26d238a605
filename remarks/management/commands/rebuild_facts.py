"""Rebuild the statistics' facts from the history (RemarkEvent), or compact them.

    manage.py rebuild_facts            throw the facts away, replay every remark's history, compact
    manage.py rebuild_facts --compact  fold the pending rows into day rows and checkpoints, as the
                                       hourly periodic job does (the sums do not change)

The services write the facts with each event; a rebuild replays the same function over the
history (remarks.stats.facts), in one transaction, so the pages never see half of it."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from remarks.models import AuthorFact, FlowFact, StateFact
from remarks.stats import facts


class Command(BaseCommand):
    help = "Rebuild the statistics' facts from the remarks' history (or --compact them)."

    def add_arguments(self, parser):
        parser.add_argument("--compact", action="store_true",
                            help="Only compact the rows written since the last compaction; nothing is recomputed.")

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["compact"]:
            facts.compact()
            flows, states, authors = (model.objects.count() for model in (FlowFact, StateFact, AuthorFact))
            verb = "Compacted"
        else:
            flows, states, authors = facts.rebuild()
            verb = "Rebuilt"
        self.stdout.write(self.style.SUCCESS(
            f"{verb} the facts: {flows} flow rows, {states} state rows, {authors} commissioners' rows"
            f" in {time.monotonic() - started:.1f} s."))
