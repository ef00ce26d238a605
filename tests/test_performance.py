"""What keeps the pages flat at 100,000 remarks (issue 8): capped counts, cached statistics,
the benchmark's floor views."""


import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from remarks import views_staff
from remarks.listing import CappedPaginator, capped_counts
from remarks.models import Remark
from remarks.workflow import Status
from scripts import bench_urls


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


def test_paginator_counts_only_up_to_its_cap_and_says_so(submit):
    for n in range(5):
        submit(f"Payment number {n} is not seen by the portal")
    paginator = CappedPaginator(Remark.objects.order_by("pk"), 2, cap=3)
    assert paginator.count == 3
    assert paginator.num_pages_label == "2+"
    pks = list(Remark.objects.order_by("pk").values_list("pk", flat=True))
    assert [r.pk for r in paginator.get_page(2)] == pks[2:3]
    exact = CappedPaginator(Remark.objects.all(), 2, cap=10)
    assert exact.count == 5 and exact.num_pages_label == "3"


def test_capped_counts_are_one_query_whatever_the_number_of_sets(submit):
    for n in range(4):
        submit(f"Queue number {n} at the service centre")
    base = Remark.objects.all()
    with CaptureQueriesContext(connection) as captured:
        counts = capped_counts({"all": base, "submitted": base.filter(status=Status.SUBMITTED),
                                "resolved": base.filter(status=Status.RESOLVED), "none": base.none()}, cap=3)
    assert len(captured.captured_queries) == 1
    assert counts == {"all": (3, True), "submitted": (3, True), "resolved": (0, False), "none": (0, False)}


def test_status_tabs_show_a_capped_count_with_a_plus(client_for, coordinator, submit, monkeypatch):
    monkeypatch.setattr(views_staff, "TAB_COUNT_CAP", 2)
    for n in range(3):
        submit(f"Certificate number {n} is not issued online")
    html = client_for(coordinator).get("/remarks/").content.decode()
    assert "(2+)" in html
    tabs = client_for(coordinator).get("/remarks/").context["status_tabs"]
    assert tabs[0]["count"] == "2+"


def test_status_tabs_stay_exact_under_the_cap(client_for, coordinator, submit):
    submit("The portal logs me out")
    submit("The portal rejects my digital signature")
    tabs = client_for(coordinator).get("/remarks/").context["status_tabs"]
    assert tabs[0]["count"] == 2
    assert {t["label"]: t["count"] for t in tabs[1:]}[Status.SUBMITTED.label] == 2


def test_statistics_are_never_cached_a_new_remark_shows_at_once(client_for, analyst, submit):
    """The statistics read the facts written with each event: no cache to go stale."""
    client = client_for(analyst)
    submit("The clinic registration form loses my data")
    assert client.get("/stats/").context["figures"]["total"] == 1
    submit("The clinic registration form is slow", kind="suggestion")
    assert client.get("/stats/").context["figures"]["total"] == 2
    assert client.get("/stats/?kind=suggestion").context["figures"]["total"] == 1
    assert client.get("/stats/", headers={"accept-language": "ru"}).context["figures"]["total"] == 2


def test_floor_views_answer_and_the_login_floor_asks_for_login(django_user_model):
    factory = RequestFactory()
    request = factory.get("/bench/floor/")
    assert bench_urls.floor(request).content == b"ok"
    request = factory.get("/bench/floor-login/")
    request.user = AnonymousUser()
    assert bench_urls.floor_login(request).status_code == 302
    request.user = django_user_model.objects.create_user("floor", password="x" * 12)
    assert bench_urls.floor_login(request).status_code == 200


def test_floor_views_are_not_served_unless_the_benchmark_turns_them_on(client):
    assert client.get("/bench/floor/").status_code == 404
