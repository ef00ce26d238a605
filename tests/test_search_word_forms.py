"""On PostgreSQL the search finds word forms: Russian by its text-search configuration
("поликлиники" finds "поликлиника"), Kazakh, which has none, by the written words like the
query's by trigrams (a suffix or a typo: "емханаға" finds "емхана"), a numbered neighbour
not ("нысан42" does not find "нысан41"). It reads the stored document (one GIN index, kept
by PostgreSQL when a remark is written or corrected), not to_tsvector of every row. The
similar-remark check at filing uses the same search, with the stated threshold
(terms.SIMILAR_TITLE_SIMILARITY)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def test_a_russian_stop_word_in_the_query_is_not_required(client_for, coordinator, remarks):
    """"через" has no Russian stem: the remark that does not say it is still found by
    the other words ("поликлиник" is its own stem and a beginning of the written words)."""
    client = client_for(coordinator)
    assert found(client, "поликлиник через") == {remarks.polyclinic.reference}


def test_exact_words_and_references_still_work(client_for, coordinator, remarks):
    client = client_for(coordinator)
    assert found(client, "vehicle payment") == {remarks.vehicle.reference}
    assert found(client, remarks.emhana.reference) == {remarks.emhana.reference}


def test_the_search_is_one_scan_of_the_stored_document_and_the_words_one_of_the_word_index(remarks):
    from remarks.querysets import word_forms

    plan_of = RemarkFilter({"q": "емханаға"}, queryset=Remark.objects.all()).qs
    with connection.cursor() as cursor:
        # Tables this small would be read whole: forbid the plans that need no index condition.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off; SET enable_indexonlyscan = off")
        plan = plan_of.explain()
        with CaptureQueriesContext(connection) as lookup:
            word_forms("емханаға")
        cursor.execute("EXPLAIN " + lookup.captured_queries[0]["sql"])
        words_plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan; RESET enable_indexonlyscan")
    assert "remark_search_gin" in plan and "to_tsvector" not in plan, plan  # read, not computed per row
    assert "remark_search_word_trgm" in words_plan, words_plan


def test_neighbouring_numbered_words_are_not_forms_of_each_other(client_for, coordinator, submit):
    submit(title="Нысан41 толтырылмайды", description="Порталда нысан41 ашылмайды.")
    wanted = submit(title="Нысан42 толтырылмайды", description="Порталда нысан42 ашылмайды.")
    assert found(client_for(coordinator), "нысан42") == {wanted.reference}


def test_a_corrected_description_is_found_by_its_new_words_not_its_old(client_for, coordinator, remarks):
    remark = remarks.vehicle
    remark.description = "Төлем өтпейді, көлік нөмірі қабылданбайды."
    remark.save(update_fields=["description"])
    client = client_for(coordinator)
    assert found(client, "көлік") == {remark.reference}
    assert found(client, "көліктің") == {remark.reference}  # a suffixed form of a new word
    remark.description = "Нөмір қабылданбайды."
    remark.save(update_fields=["description"])
    assert found(client, "көліктің") == set()


def test_a_search_that_matches_many_walks_the_sort_order_and_a_rare_one_sorts_its_matches(remarks, monkeypatch):
    from remarks import terms

    def order_of(q):
        return str(RemarkFilter({"q": q}, queryset=Remark.objects.all()).qs.query).split("ORDER BY")[1]

    assert "COALESCE" in order_of("емхана")  # one match: from the text index, then sorted
    monkeypatch.setattr(terms, "SEARCH_DENSE_MATCHES", 1)
    assert "COALESCE" not in order_of("емхана")  # "many": the sort's index is walked


def test_similar_remarks_at_filing_use_the_same_search(remarks, other_commissioner, world):
    similar = selectors.similar_remarks(other_commissioner, title="Поликлиникаға запись не работает",
                                        category=world.vehicles)
    assert [r.reference for r in similar] == [remarks.polyclinic.reference]
    assert all(r.likeness >= 0.3 for r in similar)
    unrelated = selectors.similar_remarks(other_commissioner, title="Налоговая декларация зависает",
                                          category=world.vehicles)
    assert list(unrelated) == []


def tsquery_of(q: str) -> str:
    """The text query the queue's search sends, as the database is asked it."""
    sql = str(RemarkFilter({"q": q}, queryset=Remark.objects.all()).qs.query)
    return re.search(r"@@ \((.*)\) ORDER BY", sql).group(1)


def test_a_search_names_each_form_of_a_word_once(remarks):
    """The planner adds up the items of an OR: "нысан42" named four times (its simple and its
    Russian parse, the prefix, the written word) was expected in four times as many remarks,
    and a count of its matches then took a scan of the table (0.8 s at 1,000,000 remarks)."""
    assert tsquery_of("емхана").count("'емхана'") == 1
    assert tsquery_of("емхана жазылу").count("'жазылу'") == 1


def test_a_word_finds_the_words_it_begins_named_or_as_a_prefix_when_they_are_many(client_for, coordinator,
                                                                                   submit, monkeypatch):
    from remarks import terms

    wanted = submit(title="Регистрация автомобиля не проходит", description="Регистрацию отклоняют.")
    client = client_for(coordinator)
    assert found(client, "регистр") == {wanted.reference}
    assert "'регистрация'" in tsquery_of("регистр") and ":*" not in tsquery_of("регистр")
    monkeypatch.setattr(terms, "SEARCH_PREFIX_WORDS", 1)  # "регистрация", "регистрацию": more than one
    assert ":*" in tsquery_of("регистр")
    assert found(client, "регистр") == {wanted.reference}
