"""manage.py generate_load: synthetic volume that keeps every invariant real remarks keep."""

import re
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from remarks.capabilities import has_perm
from remarks.management.commands.generate_load import generated_remarks
from remarks.models import Remark, RemarkEvent, Response, Sequence
from remarks.workflow import CLOSED, Status

SMALL = {"remarks": 150, "commissioners": 12, "agencies": 3, "services": 6, "seed": 7}


def generate(**options):
    out = StringIO()
    call_command("generate_load", stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.fixture
def generated(db):
    generate()
    return Remark.objects.all()


def test_generates_the_number_of_remarks_asked_for(generated):
    assert generated.count() == SMALL["remarks"]
    assert generated_remarks().count() == generated.count()


def test_a_second_run_with_fewer_agencies_adds_its_remarks(db):
    """The services of the first run keep their owners, among them agencies the second run
    does not staff: their routed remarks get no assignee rather than stopping the run."""
    generate(agencies=6, services=12)
    generate(agencies=2, services=12, seed=8)
    assert Remark.objects.count() == 2 * SMALL["remarks"]


def test_outgoing_numbers_are_gap_free_per_agency_and_year(generated):
    generate(seed=8)  # a second run continues the series
    by_series = defaultdict(list)
    for code, year, sequence, number in Response.objects.values_list(
            "agency__code", "year", "sequence", "outgoing_number"):
        assert number == f"{code}-{year}-{sequence:05d}"
        by_series[(code, year)].append(sequence)
    assert by_series
    for (code, year), numbers in by_series.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), (code, year)
        assert Sequence.objects.get(series=code, year=year).last_value == len(numbers)


def test_outgoing_numbers_follow_the_order_responses_were_sent(generated):
    by_series = defaultdict(list)
    for response in Response.objects.order_by("agency_id", "year", "sequence"):
        by_series[(response.agency_id, response.year)].append(response.sent_at)
    for sent in by_series.values():
        assert sent == sorted(sent)


def test_every_resolved_or_declined_remark_has_an_official_response(generated):
    closing = generated.filter(status__in=[Status.RESOLVED, Status.DECLINED])
    assert closing.exists()
    assert not closing.filter(responses__isnull=True).exists()
    assert not generated.exclude(status__in=[Status.RESOLVED, Status.DECLINED]).filter(
        responses__isnull=False).exists()


def test_every_remark_has_its_history(generated):
    assert not generated.exclude(events__action=RemarkEvent.Kind.SUBMIT).exists()
    for remark in generated.filter(status__in=CLOSED):
        changes = RemarkEvent.objects.filter(remark=remark).exclude(to_status="")
        last = changes.order_by("-created_at", "-pk")[0]
        assert last.to_status == remark.status
        assert remark.closed_at is not None
    assert not generated.exclude(status__in=CLOSED).filter(closed_at__isnull=False).exists()


def test_duplicates_name_an_original_and_needs_info_knows_where_to_return(generated):
    for remark in generated.filter(status=Status.DUPLICATE):
        assert remark.duplicate_of_id and remark.duplicate_of_id != remark.pk
    assert not generated.filter(status=Status.NEEDS_INFO, return_status="").exists()
    assert not generated.filter(status=Status.IN_REVIEW, agency__isnull=True).exists()


def test_references_are_sequential_per_year_and_follow_the_calendar(generated):
    generate(remarks=40, seed=9)
    by_year = defaultdict(list)
    for reference in Remark.objects.values_list("reference", flat=True):
        year, number = re.fullmatch(r"R-(\d{4})-(\d{5})", reference).groups()
        by_year[int(year)].append(int(number))
    for year, numbers in by_year.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), year
        assert Sequence.objects.get(series="R", year=year).last_value == len(numbers)
    first_run = Remark.objects.order_by("pk")[: SMALL["remarks"]]
    assert [r.reference for r in sorted(first_run, key=lambda r: (r.submitted_at, r.pk))] == sorted(
        r.reference for r in first_run)


def test_creates_the_demo_staff_a_benchmark_logs_in_as(generated):
    from django.contrib.auth import get_user_model

    from remarks.selectors import persona_of

    users = get_user_model().objects
    assert persona_of(users.get(username="gencom0000")).is_commissioner
    assert persona_of(users.get(username="gencoordinator0000")).is_coordinator
    assert has_perm(users.get(username="genanalyst0000"), "remarks.view_statistics")


def test_refuses_a_database_with_real_remarks_unless_forced(submit):
    real = submit()
    with pytest.raises(CommandError, match="real remarks"):
        generate(remarks=5)
    assert Remark.objects.count() == 1
    generate(remarks=5, force=True)
    assert Remark.objects.count() == 6
    assert not generated_remarks().filter(pk=real.pk).exists()


def test_no_step_of_a_newest_remark_is_dated_after_the_moment_it_was_generated(db, monkeypatch):
    """Remarks filed in the last hours have their later steps (routing, comments, questions)
    at the moment of the run at the latest, never in the future: the statistics' facts of a
    day that has not come would otherwise be written."""
    import datetime as dt

    from django.utils import timezone

    from remarks.management.commands.generate_load import Command

    def recent(self, rng, total, years):
        now = timezone.now()
        return sorted(now - dt.timedelta(minutes=rng.randrange(60, 180)) for _ in range(total))

    monkeypatch.setattr(Command, "_plan", recent)
    started = timezone.now()
    generate(remarks=40)
    assert RemarkEvent.objects.filter(created_at__gte=started - dt.timedelta(hours=3)).count() >= 40
    assert not RemarkEvent.objects.filter(created_at__gt=timezone.now()).exists()


@pytest.mark.postgres
def test_every_word_of_the_generated_texts_is_among_the_searchs_written_words(generated):
    """The load remembers its vocabulary's words once (the words trigger stands aside while it
    writes): the search still finds a form of any word a generated remark uses."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the written words are PostgreSQL's (migration 0016)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT w FROM remarks_remark, unnest(tsvector_to_array(to_tsvector('simple',"
                       " title || ' ' || description))) AS w WHERE char_length(w) >= 3")
        used = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT word FROM remarks_searchword")
        remembered = {row[0] for row in cursor.fetchall()}
    assert used and used <= remembered


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_chunks_written_by_the_writers_thread_keep_every_invariant(monkeypatch):
    """On PostgreSQL, outside a transaction, chunks are written by a thread of their own while the
    next is built: the references, outgoing numbers, histories and facts are those of a plain run."""
    from django.db import connection

    from remarks.management import load_writer
    from remarks.management.commands import generate_load
    from remarks.models import FlowFact
    from remarks.stats import facts

    if connection.vendor != "postgresql":
        pytest.skip("the writer's thread runs on PostgreSQL only")
    threads = []
    real_init = load_writer.Writer.__init__

    def init(self):
        real_init(self)
        threads.append(self.threaded)

    monkeypatch.setattr(load_writer.Writer, "__init__", init)
    monkeypatch.setattr(generate_load, "CHUNK", 50)
    generate(remarks=170)
    assert threads == [True]
    assert Remark.objects.count() == 170 and RemarkEvent.objects.filter(action=RemarkEvent.Kind.SUBMIT).count() == 170
    by_year = defaultdict(list)
    for reference in Remark.objects.values_list("reference", flat=True):
        by_year[reference[2:6]].append(int(reference[-5:]))
    assert all(sorted(numbers) == list(range(1, len(numbers) + 1)) for numbers in by_year.values())
    for code, year in Response.objects.values_list("agency__code", "year").distinct():
        sequences = sorted(Response.objects.filter(agency__code=code, year=year).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
        assert Sequence.objects.get(series=code, year=year).last_value == len(sequences)
    written = sorted(FlowFact.objects.values_list("day", "measure", "agency", "n"))
    facts.rebuild()
    assert sorted(FlowFact.objects.values_list("day", "measure", "agency", "n")) == written


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_chunk_that_fails_in_the_writers_thread_fails_the_command(monkeypatch):
    from django.db import connection

    from remarks.management import load_writer
    from remarks.management.commands import generate_load

    if connection.vendor != "postgresql":
        pytest.skip("the writer's thread runs on PostgreSQL only")
    real_write = load_writer.write
    failing = []

    def write(chunk):
        if chunk.remarks[0][1].endswith("1") and not failing:  # one chunk, whichever thread takes it
            failing.append(chunk)
            raise RuntimeError("the disk is full")
        real_write(chunk)

    monkeypatch.setattr(load_writer, "write", write)
    monkeypatch.setattr(generate_load, "CHUNK", 50)
    with pytest.raises(RuntimeError, match="the disk is full"):
        generate(remarks=400)
    written = set(Remark.objects.values_list("pk", flat=True))
    assert failing and not written & {row[0] for row in failing[0].remarks}
    assert len(written) % 50 == 0  # whole chunks only


def test_closings_are_spread_over_the_days_not_gathered_on_the_day_of_the_run(db, monkeypatch):
    """A remark closes within its own age: capped at the moment of the run, the closings of every
    remark filed in the last weeks all fell on that day."""
    import datetime as dt

    from django.utils import timezone

    from remarks.management.commands.generate_load import Command

    def last_weeks(self, rng, total, years):
        now = timezone.now()
        return sorted(now - dt.timedelta(hours=rng.randrange(3, 24 * 40)) for _ in range(total))

    monkeypatch.setattr(Command, "_plan", last_weeks)
    generate(remarks=300)
    closed = list(Remark.objects.filter(closed_at__isnull=False).values_list("submitted_at", "closed_at"))
    assert len(closed) > 100
    assert all(closed_at - submitted >= dt.timedelta(days=2) for submitted, closed_at in closed)
    on_the_day = sum(closed_at.date() == timezone.now().date() for _s, closed_at in closed)
    assert on_the_day < len(closed) / 5


def test_the_benchmarks_commissioner_files_a_full_page_at_a_thousand_remarks(db):
    """gencom0000, whose own list the benchmark reads, files one remark in fourteen besides their
    share: at 1,000 remarks their page is full (50 rows), as at 1,000,000."""
    generate(remarks=1000, commissioners=300)
    assert generated_remarks().filter(author__username="gencom0000").count() >= 50


def test_the_benchmarks_officer_holds_a_full_page_of_open_remarks_at_a_thousand(db):
    """genofficer0000's agency holds one remark in four besides its share: at 1,000 remarks their
    own open remarks fill the first page of "needs me" (51 rows), as at 1,000,000."""
    from remarks.workflow import OPEN

    generate(remarks=1000, commissioners=300, agencies=12, services=40)
    assert Remark.objects.filter(assignee__username="genofficer0000", status__in=OPEN).count() >= 51
