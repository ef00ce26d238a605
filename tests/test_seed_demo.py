"""The demo data of the article: about 50 remarks, half resolved, loaded by the real services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from remarks.models import Remark, Response
from remarks.workflow import Status


def load() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def fingerprint() -> dict:
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()
              if model._meta.app_label in {"remarks", "agencies", "commissioners", "auth"}}
    return {
        "counts": counts,
        "remarks": list(Remark.objects.order_by("reference").values_list("reference", "status", "title")),
        "numbers": sorted(Response.objects.values_list("outgoing_number", "remark__reference")),
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_seed_demo_twice_gives_the_same_data(db, debug):
    assert "Loaded" in load()
    first = fingerprint()
    load()
    assert fingerprint() == first


def test_seed_demo_tells_the_articles_story(db, debug):
    load()
    total = Remark.objects.count()
    resolved = Remark.objects.filter(status=Status.RESOLVED)
    assert 45 <= total <= 50
    assert 0.45 <= resolved.count() / total <= 0.55
    for remark in resolved.prefetch_related("responses"):
        assert [r.outgoing_number for r in remark.responses.all() if r.outgoing_number], remark.reference
    # Every state of the workflow is shown, and the numbering is gap-free as in production.
    assert set(Remark.objects.values_list("status", flat=True)) == set(Status)
    by_series: dict = {}
    for agency, year, sequence in Response.objects.values_list("agency_id", "year", "sequence"):
        by_series.setdefault((agency, year), []).append(sequence)
    assert all(sorted(s) == list(range(1, len(s) + 1)) for s in by_series.values())
    assert Remark.objects.overdue().exists()


def test_seed_demo_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert not Remark.objects.exists()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Remark.objects.count() >= 45


def test_every_agency_that_holds_a_remark_has_someone_to_answer_it(db, debug):
    from agencies.models import AgencyMembership

    load()
    holders = set(Remark.objects.exclude(agency=None).values_list("agency__code", flat=True))
    holders |= set(Remark.objects.exclude(competent_agency=None).values_list("competent_agency__code", flat=True))
    # The ministry's coordinators answer what the ministry holds.
    staffed = set(AgencyMembership.objects.filter(role__in=["officer", "head", "coordinator"], user__is_active=True)
                  .values_list("agency__code", flat=True))
    assert "MFA" in holders
    assert holders <= staffed, holders - staffed


def test_demo_has_a_public_register_and_a_co_executors_contribution(db, debug, client):
    from remarks.models import Contribution, ContributionRequest
    from remarks.publication import published_remarks

    load()
    published = list(published_remarks())
    assert len(published) == 6
    assert all(r.status == Status.RESOLVED for r in published)
    page = client.get("/").content.decode()
    assert published[0].reference in page
    request = ContributionRequest.objects.get()
    assert request.agency.code == "KAZPOST" and request.contributed_at is not None
    assert Contribution.objects.get().agency.code == "KAZPOST"
