"""The queue's search finds Kazakh and Russian words whatever their case: SQLite's LIKE folds
only ASCII, so it reads a case-folded column the services write; PostgreSQL's text search
folds by itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remarks.models import Remark


@pytest.mark.parametrize("query", ["емхана", "Емхана", "ЕМХАНА"])
def test_search_finds_cyrillic_words_in_any_case(submit, coordinator, client_for, query):
    lower = submit(title="Емханаға жазылу қатесі", description="Порталда емхана таңдалмайды.")
    upper = submit(title="Поликлиника", description="ЕМХАНА тізімі бос.")
    other = submit(title="Көлікті тіркеу", description="Төлем расталмайды.")
    page = client_for(coordinator).get(reverse("remarks:list"), {"q": query}).content.decode()
    assert lower.reference in page and upper.reference in page
    assert other.reference not in page


def test_the_case_folded_column_is_written_at_filing(submit):
    remark = submit(title="ҰБТ нәтижесі", description="Қате ШЫҒАДЫ")
    assert Remark.objects.get(pk=remark.pk).search_text == "ұбт нәтижесі\nқате шығады"
