"""On PostgreSQL the search finds word forms: Russian by its text-search configuration
("поликлиники" finds "поликлиника"), Kazakh, which has none, by trigram similarity (a suffix
or a typo: "емханаға" finds "емхана"); the three ways are index scans. The similar-remark
check at filing uses the same search, with the stated threshold (terms.SIMILAR_TITLE_SIMILARITY)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from remarks import selectors
from remarks.filters import RemarkFilter
from remarks.models import Remark

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")


def found(client, q) -> set[str]:
    response = client.get(reverse("remarks:list"), {"q": q, "view": "all"})
    return {r.reference for r in response.context["page"].object_list}


@pytest.fixture
def remarks(submit):
    return type("Remarks", (), dict(
        polyclinic=submit(title="Запись в поликлинику не работает",
                          description="Поликлиника не видит прикрепление на портале."),
        emhana=submit(title="Емханаға жазылу қатесі", description="Порталда емхана таңдалмайды."),
        vehicle=submit(title="Online vehicle registration rejects the payment"),
    ))


def test_a_russian_word_form_finds_the_remark(client_for, coordinator, remarks):
    client = client_for(coordinator)
    assert found(client, "поликлиники") == {remarks.polyclinic.reference}
    assert found(client, "Поликлиникой") == {remarks.polyclinic.reference}


def test_a_kazakh_word_with_a_suffix_or_a_typo_is_found_by_its_trigrams(client_for, coordinator, remarks):
    client = client_for(coordinator)
    assert found(client, "емхана") == {remarks.emhana.reference}
    assert found(client, "емханаға") == {remarks.emhana.reference}
    assert found(client, "емханада") == {remarks.emhana.reference}
    assert found(client, "жазылуу") == {remarks.emhana.reference}  # a typo
    assert found(client, "көлік") == set()


def test_exact_words_and_references_still_work(client_for, coordinator, remarks):
    client = client_for(coordinator)
    assert found(client, "vehicle payment") == {remarks.vehicle.reference}
    assert found(client, remarks.emhana.reference) == {remarks.emhana.reference}


def test_every_way_of_the_search_is_an_index_scan(remarks):
    plan_of = RemarkFilter({"q": "емханаға"}, queryset=Remark.objects.all()).qs
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        plan = plan_of.explain()
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    for index in ("remark_search_gin", "remark_search_ru_gin", "remark_search_trgm_gin"):
        assert index in plan, plan


def test_similar_remarks_at_filing_use_the_same_search(remarks, other_commissioner, world):
    similar = selectors.similar_remarks(other_commissioner, title="Поликлиникаға запись не работает",
                                        category=world.vehicles)
    assert [r.reference for r in similar] == [remarks.polyclinic.reference]
    assert all(r.likeness >= 0.3 for r in similar)
    unrelated = selectors.similar_remarks(other_commissioner, title="Налоговая декларация зависает",
                                          category=world.vehicles)
    assert list(unrelated) == []
