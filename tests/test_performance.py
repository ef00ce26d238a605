"""What keeps the pages flat at 100,000 remarks (issue 8): capped counts, cached statistics,
the benchmark's floor views."""


import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from remarks import listing, views_staff
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


def test_a_search_reads_its_matches_once_for_every_status_tab(client_for, coordinator, submit, remark_in):
    for n in range(3):
        submit(f"Certificate number {n} is not issued online")
    remark_in(Status.IN_REVIEW, title="Certificate of no criminal record is late")
    submit("The portal logs me out")
    with CaptureQueriesContext(connection) as captured:
        more, by_status, meeting = capped_one_pass(Remark.objects.filter(title__icontains="certificate"), cap=4)
    assert len(captured.captured_queries) == 1
    assert (more, by_status, meeting) == (False, {Status.SUBMITTED: 3, Status.IN_REVIEW: 1}, {"waiting": 3})
    assert capped_one_pass(Remark.objects.all(), cap=4)[0] is True

    tabs = client_for(coordinator).get("/remarks/", {"q": "certificate", "view": "all"}).context["status_tabs"]
    counts = {tab["label"]: tab["count"] for tab in tabs}
    assert counts["All"] == 4 and counts["Needs me"] == 3
    assert counts[Status.SUBMITTED.label] == 3 and counts[Status.IN_REVIEW.label] == 1
    assert counts[Status.RESOLVED.label] == 0


def test_a_search_finding_more_than_the_cap_says_so_and_leaves_the_status_tabs_uncounted(
        client_for, coordinator, submit, monkeypatch):
    monkeypatch.setattr(views_staff, "TAB_COUNT_CAP", 2)
    for n in range(3):
        submit(f"Certificate number {n} is not issued online")
    response = client_for(coordinator).get("/remarks/", {"q": "certificate", "view": "all"})
    counts = {tab["label"]: tab["count"] for tab in response.context["status_tabs"]}
    assert counts["All"] == "2+"
    assert counts[Status.SUBMITTED.label] is None and counts["Needs me"] is None
    html = response.content.decode()
    assert "All (2+)" in html and f">{Status.SUBMITTED.label}</a>" in html


def test_a_keyset_page_counts_what_it_found_up_to_its_cap(client_for, coordinator, submit, monkeypatch):
    monkeypatch.setattr(listing, "FOUND_CAP", 2)
    for n in range(3):
        submit(f"Certificate number {n} is not issued online")
    response = client_for(coordinator).get("/remarks/", {"view": "all"})
    assert response.context["page"].count_label == "2+"
    assert "Found: 2+" in response.content.decode()


def capped_one_pass(queryset, *, cap):
    return listing.counts_in_one_pass(queryset, "status", cap, {"waiting": Q(status=Status.SUBMITTED)})


def test_a_part_counted_first_past_the_cap_answers_for_the_whole(submit):
    """capped_counts' `within`: a part (an officer's agency's remarks) past the cap says the whole
    is; under it, the whole is counted. Given here a "part" that is not one, to see which is read."""
    for n in range(3):
        submit(f"Queue number {n} at the service centre")
    everything, nothing = Remark.objects.all(), Remark.objects.filter(status=Status.RESOLVED)
    assert capped_counts({"x": nothing}, cap=2, within={"x": everything}) == {"x": (2, True)}
    assert capped_counts({"x": everything}, cap=5, within={"x": nothing}) == {"x": (3, False)}
    assert capped_counts({"x": everything}, cap=2, within={"x": nothing}) == {"x": (2, True)}


def test_an_officers_tabs_and_found_count_what_they_may_read_beyond_their_agency(
        client_for, officer, coordinator, world, submit, remark_in, monkeypatch):
    """Counted first from their agency's remarks, the tabs still count the co-executed ones and
    their own, exactly under the cap, "2+" past it."""
    from remarks import services
    from remarks.workflow import Action

    remark_in(Status.IN_REVIEW)
    services.remark_transition(remark=submit(title="Co-executed"), action=Action.ACCEPT, actor=coordinator,
                               agency=world.nit, co_agencies=[world.mia])
    services.remark_transition(remark=submit(title="NIT only"), action=Action.ACCEPT, actor=coordinator,
                               agency=world.nit)
    client = client_for(officer)

    def tabs(**params):
        response = client.get("/remarks/", params)
        return {tab["label"]: tab["count"] for tab in response.context["status_tabs"]}, response

    counts, response = tabs(view="all")
    assert counts["All"] == 2 and counts[Status.IN_REVIEW.label] == 2 and counts["Needs me"] == 2
    assert response.context["page"].count_label == "2"
    monkeypatch.setattr(views_staff, "TAB_COUNT_CAP", 1)
    monkeypatch.setattr(listing, "FOUND_CAP", 1)
    counts, response = tabs(view="all")
    assert counts[Status.IN_REVIEW.label] == "1+" and counts["Needs me"] == "1+"
    assert response.context["page"].count_label == "1+"
