"""Repeat remarks: the same author, on the same service and matter, again within a year of
the answer, or while the earlier remark is overdue (the e-appeals rule of a repeat appeal).

"The same matter" is a similarity of texts: the share of words (their first letters, so that
Kazakh and Russian endings do not hide the same word) that the two texts have in common. The
threshold and the window are in remarks.terms.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q

from remarks import deadlines, terms
from remarks.querysets import overdue_q

WORD = re.compile(r"\w+")
# Words shorter than this say little ("на", "және", "the"); longer ones are cut to this
# length, a crude stem that joins "регистрации" and "регистрация", "тіркеу" and "тіркеуге".
STEM = 5
CANDIDATES = 20


def stems(text: str) -> set[str]:
    return {w[:STEM] for w in WORD.findall(text.casefold()) if len(w) >= 4 and not w.isdigit()}


def similarity(a: str, b: str) -> float:
    """Shared stems over the stems of both texts (Jaccard), from 0 to 1."""
    first, second = stems(a), stems(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def repeat_of(*, author, service, title: str, description: str, now: dt.datetime):
    """The earlier remark this one repeats, or None."""
    from remarks.models import Remark

    if service is None:
        return None
    today = deadlines.local_date(now)
    since = deadlines.add_months(today, -terms.REPEAT_WINDOW_MONTHS)
    answered = Q(responses__sent_at__date__gte=since)
    candidates = (Remark.objects.filter(author=author, service=service).filter(answered | overdue_q(today))
                  .distinct().order_by("-submitted_at").only("pk", "title", "description")[:CANDIDATES])
    text = f"{title}\n{description}"
    scored = [(similarity(text, f"{c.title}\n{c.description}"), c) for c in candidates]
    scored = [(score, c) for score, c in scored if score >= terms.REPEAT_SIMILARITY]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None
