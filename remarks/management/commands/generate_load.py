"""Synthetic remarks for benchmarks: realistic volume that obeys the workflow's invariants.

    manage.py generate_load --remarks 100000

Closed remarks carry official responses whose outgoing numbers are gap-free per agency and
year, every remark has its history, due dates come from the deadline rules, and references
are sequential per year. Rows are built in Python a chunk at a time and written as plain rows
(remarks.management.load_writer: on PostgreSQL by a thread of its own while the next chunk is
built), and the statistics' facts are replayed from the written history by the function the
services use (remarks.stats.facts). The command refuses to touch a database that holds real
remarks unless --force is given: its own remarks are those of the commissioners it creates,
whose usernames start with COMMISSIONER_PREFIX."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyMembership, Commission, Service
from commissioners.models import Commissioner, Region
from remarks import deadlines
from remarks.management import load_writer
from remarks.models import Category, Remark, RemarkEvent, Sequence
from remarks.querysets import search_text
from remarks.stats import facts
from remarks.workflow import CLOSED, Action, Status

User = get_user_model()
BATCH = 2000
# The generated commissioners are gencom0000, gencom0001...: every generated remark is theirs,
# and a remark by anyone else is a real one.
COMMISSIONER_PREFIX = "gencom"


def generated_remarks():
    """The remarks this command wrote (the benchmark picks its sample remark among them)."""
    return Remark.objects.filter(author__username__startswith=COMMISSIONER_PREFIX)

# Share of remarks in each state; newer remarks are more often still open.
STATUS_WEIGHTS = [
    (Status.RESOLVED, 46), (Status.DECLINED, 6), (Status.DUPLICATE, 3), (Status.WITHDRAWN, 3),
    (Status.IN_REVIEW, 20), (Status.NEEDS_INFO, 5), (Status.ESCALATED, 4), (Status.SUBMITTED, 13),
]
WORDS = ("портал", "қызмет", "өтініш", "тіркеу", "емхана", "жүргізуші", "куәлік", "кезек", "ХҚКО", "e-gov",
         "төлем", "анықтама", "қосымша", "интерфейс", "нөмір", "жауап", "мерзім", "құжат", "регистрация",
         "услуга", "ошибка", "оплата", "очередь", "справка", "приложение", "заявка", "статус", "ответ")


TOPICS = 100
TOPIC_WORDS = tuple(f"нысан{n:02d}" for n in range(TOPICS))
CHUNK = 10_000  # remarks a transaction


@dataclass(slots=True)
class Planned:
    """What the history of a remark being generated needs to know of it."""

    pk: int
    reference: str
    status: str
    author_id: int
    agency_id: int | None
    submitted_at: dt.datetime
    registered_on: dt.date
    due_date: dt.date
    closed_at: dt.datetime | None
    commission_id: int | None
    competent_agency_id: int | None
    supporters: list



class Command(BaseCommand):
    help = "Generate synthetic remarks (bulk inserts) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--remarks", type=int, default=1000)
        parser.add_argument("--commissioners", type=int, default=300)
        parser.add_argument("--agencies", type=int, default=12)
        parser.add_argument("--services", type=int, default=40)
        parser.add_argument("--events-per-remark", type=int, default=1,
                            help="Extra history events (comments) per remark on average.")
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="Run even if the database holds real remarks.")

    def handle(self, *args, **options):
        real = Remark.objects.exclude(author__username__startswith=COMMISSIONER_PREFIX)
        if real.exists() and not options["force"]:
            raise CommandError("This database holds real remarks; refusing to add synthetic ones (use --force).")
        started = time.monotonic()
        rng = random.Random(options["seed"])
        with transaction.atomic():
            world = self._world(rng, options)
        created = 0
        total = options["remarks"]
        plan = self._plan(rng, total, options["years"])
        # The series' last values, read once and carried from chunk to chunk.
        numbers = defaultdict(int, {(series, year): value for series, year, value
                                    in Sequence.objects.values_list("series", "year", "last_value")})
        # Every word of the texts below comes from WORDS and the topics.
        load_writer.remember_words(" ".join([*WORDS, *TOPIC_WORDS]))
        writer = load_writer.Writer()
        try:
            for start in range(0, total, CHUNK):
                writer.put(self._chunk(rng, world, plan[start:start + CHUNK], numbers, options))
                created += len(plan[start:start + CHUNK])
                self.stdout.write(f"  {created} remarks…")
        finally:
            writer.close()
        # Compacted once, as the hourly job would: each chunk's facts reach back to its first
        # day, so compacting per chunk would rebuild every later checkpoint again and again.
        facts.compact()
        self.stdout.write(self.style.SUCCESS(
            f"Generated {created} remarks in {time.monotonic() - started:.1f} s "
            f"({Remark.objects.count()} in the database)."))

    # --- reference data ------------------------------------------------------------

    def _world(self, rng, options):
        password = make_password(settings.SEED_DEMO_PASSWORD)
        ministry = Agency.objects.filter(is_ministry=True).first() or Agency.objects.create(
            code="MDDIAI", is_ministry=True, kind=Agency.Kind.MINISTRY, name_kk="Цифрлық даму министрлігі",
            name_ru="Министерство цифрового развития", name_en="Ministry of Digital Development",
            short_kk="ЦДИАӨМ", short_ru="МЦРИАП", short_en="MDDIAI")
        agencies = []
        for n in range(options["agencies"]):
            agency, _ = Agency.objects.get_or_create(code=f"GEN{n:02d}", defaults={
                "kind": Agency.Kind.OTHER, "name_kk": f"Ведомство {n}", "name_ru": f"Ведомство {n}",
                "name_en": f"Agency {n}", "short_kk": f"В{n:02d}", "short_ru": f"В{n:02d}", "short_en": f"A{n:02d}"})
            agencies.append(agency)
        categories = list(Category.objects.all()) or [
            Category.objects.create(code=f"sector-{n}", name_kk=f"Сала {n}", name_ru=f"Отрасль {n}",
                                    name_en=f"Sector {n}") for n in range(6)]
        services = []
        for n in range(options["services"]):
            service, _ = Service.objects.get_or_create(code=f"gen-service-{n}", defaults={
                "owner": agencies[n % len(agencies)], "category": categories[n % len(categories)],
                "name_kk": f"Қызмет {n}", "name_ru": f"Услуга {n}", "name_en": f"Service {n}"})
            if service.owner_id not in {a.pk for a in agencies}:  # an earlier run's agency, not staffed now
                service.owner = agencies[n % len(agencies)]
                service.save(update_fields=["owner"])
            services.append(service)
        commission = Commission.objects.filter(host=ministry).first() or Commission.objects.create(
            host=ministry, name_kk="ВАК", name_ru="МВК", name_en="Interagency commission")

        def users(prefix, count):
            existing = {u.username: u for u in User.objects.filter(username__startswith=prefix)}
            new = [User(username=f"{prefix}{n:04d}", first_name=prefix.capitalize(), last_name=f"№{n}",
                        email=f"{prefix}{n:04d}@example.kz", password=password)
                   for n in range(count) if f"{prefix}{n:04d}" not in existing]
            User.objects.bulk_create(new, batch_size=BATCH)
            return list(User.objects.filter(username__startswith=prefix).order_by("username")[:count])

        commissioners = users(COMMISSIONER_PREFIX, options["commissioners"])
        have_profile = set(Commissioner.objects.filter(user__in=commissioners).values_list("user_id", flat=True))
        regions = list(Region.values)
        Commissioner.objects.bulk_create([
            Commissioner(user=u, full_name=f"Комиссар {u.username[-4:]}", region=rng.choice(regions),
                         background=rng.choice(list(Commissioner.Background.values)),
                         appointed_on=dt.date(2024, 1, 15))
            for u in commissioners if u.pk not in have_profile], batch_size=BATCH)
        officers = users("genofficer", len(agencies))
        coordinator = users("gencoordinator", 1)[0]
        analyst = users("genanalyst", 1)[0]
        memberships = [AgencyMembership(user=o, agency=a, role=AgencyMembership.Role.OFFICER)
                       for o, a in zip(officers, agencies, strict=True)]
        memberships.append(AgencyMembership(user=coordinator, agency=ministry, role=AgencyMembership.Role.COORDINATOR))
        memberships.append(AgencyMembership(user=analyst, agency=ministry, role=AgencyMembership.Role.ANALYST))
        AgencyMembership.objects.bulk_create(memberships, ignore_conflicts=True)
        return {"ministry": ministry, "agencies": agencies, "services": services, "commission": commission,
                "commissioners": commissioners,
                "officer_of": dict(zip([a.pk for a in agencies], officers, strict=False)),
                "coordinator": coordinator}

    # --- remarks -------------------------------------------------------------------

    def _plan(self, rng, total, years):
        """Submission moments over the last `years`, oldest first, so references follow the calendar."""
        now = timezone.now()
        span = years * 365 * 86400
        moments = sorted(now - dt.timedelta(seconds=rng.randrange(3600, span)) for _ in range(total))
        return moments

    def _chunk(self, rng, world, moments, numbers, options) -> load_writer.Chunk:
        """The rows of a chunk of remarks, built in Python (the ids are taken beforehand), for
        load_writer.write: no model instance, no query but the ids."""
        now = timezone.now()
        today = timezone.localdate()
        statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
        chunk = load_writer.Chunk()
        planned = []
        # The first agency (the benchmark's officer's) holds one remark in four besides its share:
        # the officer's own open remarks fill their first page at every size.
        first_agency = [service for service in world["services"] if service.owner_id == world["agencies"][0].pk]
        for pk, submitted in zip(load_writer.allocate_ids(len(moments)), moments, strict=True):
            age_days = (now - submitted).days
            status = rng.choices(statuses, weights)[0]
            if age_days > 120 and status in (Status.SUBMITTED, Status.NEEDS_INFO):
                status = Status.RESOLVED
            if age_days < 2 and status in CLOSED:  # closed two days after filing at the earliest
                status = Status.IN_REVIEW
            service = rng.choice(first_agency if rng.random() < 1 / 4 else world["services"])
            registered = deadlines.registration_date(submitted)
            year = deadlines.local_date(submitted).year
            numbers["R", year] += 1
            routed = status not in (Status.SUBMITTED, Status.WITHDRAWN, Status.DUPLICATE, Status.ESCALATED)
            closed_at = None
            if status in CLOSED:
                # Within the remark's age: capped at now, the closings of the last 40 days all fell
                # on the day of the run (four times a day's facts on it).
                closed_at = min(submitted + dt.timedelta(days=rng.randint(2, min(40, age_days)),
                                                         hours=rng.randint(0, 6)), now)
            # The first commissioner (the benchmark's) files one remark in fourteen: their own list is
            # a full page at every size, so that its cost is compared page for page.
            author = world["commissioners"][0] if rng.random() < 1 / 14 else rng.choice(world["commissioners"])
            supporters = [u for u in rng.sample(world["commissioners"], rng.choice((0, 0, 0, 1, 1, 2, 3, 5)))
                          if u.pk != author.pk]
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
            # One of TOPICS rarer words, so a full-text search can be selective.
            description = (" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
                           + " " + rng.choice(TOPIC_WORDS))
            escalated = status == Status.ESCALATED
            remark = Planned(
                pk=pk, reference=f"R-{year}-{numbers['R', year]:05d}", status=status, author_id=author.pk,
                agency_id=service.owner_id if routed else None, submitted_at=submitted, registered_on=registered,
                due_date=deadlines.answer_due(registered), closed_at=closed_at,
                commission_id=world["commission"].pk if escalated else None,
                competent_agency_id=rng.choice(world["agencies"]).pk if escalated else None, supporters=supporters)
            planned.append(remark)
            chunk.remarks.append(dict(
                id=pk, reference=remark.reference, kind=rng.choice(("remark", "remark", "suggestion")),
                language=rng.choice(("kk", "kk", "ru")), title=title, description=description,
                search_text=search_text(title, description), affected_url="", category_id=service.category_id,
                service_id=service.pk, proposed_agency_id=service.owner_id, agency_id=remark.agency_id,
                assignee_id=world["officer_of"][service.owner_id].pk if routed else None, author_id=author.pk,
                status=status, return_status=Status.IN_REVIEW if status == Status.NEEDS_INFO else "",
                paused_on=today if status == Status.NEEDS_INFO else None, submitted_at=submitted,
                registered_on=registered, routing_due=deadlines.routing_due(registered), due_date=remark.due_date,
                closed_at=closed_at, updated_at=closed_at or submitted, duplicate_of_id=None, measure_id=None,
                commission_id=remark.commission_id, competent_agency_id=remark.competent_agency_id,
                repeat_of_id=None, support_count=len(supporters), reopen_count=0, submission_token=None))
        # A duplicate must name its original when it is written: originals go in first.
        originals = [row["id"] for row in chunk.remarks if row["status"] != Status.DUPLICATE]
        for row in chunk.remarks:
            if row["status"] == Status.DUPLICATE:
                row["duplicate_of_id"] = rng.choice(originals)
        chunk.remarks.sort(key=lambda row: row["status"] == Status.DUPLICATE)
        chunk.remarks = [[row[name] for name in load_writer.REMARK_COLUMNS] for row in chunk.remarks]
        self._history(rng, world, planned, chunk, numbers, options)
        chunk.sequences = {key: value for key, value in numbers.items()}
        return chunk

    def _history(self, rng, world, planned, chunk, numbers, options) -> None:
        """Each remark's events, official response, supports, comments and attachments."""
        now = timezone.now()
        events, responses = chunk.events, chunk.responses
        numbered = []  # (response, event) pairs, numbered below in the order they were sent
        coordinator_id = world["coordinator"].pk
        codes = {a.pk: a.code for a in [world["ministry"], *world["agencies"]]}
        for remark in planned:
            rid, author_id, submitted = remark.pk, remark.author_id, remark.submitted_at
            # Payloads as the services write them: the facts are replayed from these.
            events.append([rid, author_id, RemarkEvent.Kind.SUBMIT, "", Status.SUBMITTED, "",
                           {"registered_on": remark.registered_on.isoformat(),
                            "due_date": remark.due_date.isoformat()}, submitted])
            # Never after now: a newest remark's later steps happen at this moment.
            step = min(submitted + dt.timedelta(hours=20), now)
            if remark.agency_id:
                events.append([rid, coordinator_id, Action.ACCEPT, Status.SUBMITTED, Status.IN_REVIEW, "",
                               {"agency": codes[remark.agency_id]}, step])
            for n in range(rng.randint(0, 2 * options["events_per_remark"])):
                created = min(submitted + dt.timedelta(hours=22 + n), now)
                chunk.comments.append([rid, author_id, "Толықтыру: " + rng.choice(WORDS), False, created])
                events.append([rid, author_id, RemarkEvent.Kind.COMMENT, "", "", "", {}, created])
            last = Status.IN_REVIEW if remark.agency_id else Status.SUBMITTED
            if remark.status == Status.NEEDS_INFO:
                events.append([rid, coordinator_id, Action.REQUEST_INFO, last, Status.NEEDS_INFO,
                               "Скриншот жіберіңіз.", {}, min(step + dt.timedelta(days=1), now)])
            elif remark.status == Status.ESCALATED:
                events.append([rid, coordinator_id, Action.ESCALATE, last, Status.ESCALATED,
                               "Басқа органның құзыры.", {"commission": remark.commission_id,
                                                         "competent_agency": codes[remark.competent_agency_id]},
                               step])
            elif remark.status in CLOSED:
                action = {Status.RESOLVED: Action.RESOLVE, Status.DECLINED: Action.DECLINE,
                          Status.DUPLICATE: Action.MARK_DUPLICATE, Status.WITHDRAWN: Action.WITHDRAW}[remark.status]
                event = [rid, coordinator_id, action, last, remark.status, "", {}, remark.closed_at]
                events.append(event)
                if remark.status in (Status.RESOLVED, Status.DECLINED):
                    agency_id = remark.agency_id or world["ministry"].pk
                    signer = world["officer_of"].get(agency_id, world["coordinator"]).pk
                    # outgoing_number and sequence are filled in below
                    response = [rid, agency_id, None, deadlines.local_date(remark.closed_at).year, None, action,
                                "Ескертуіңіз қаралды, кемшілік жойылды.", signer, remark.closed_at]
                    responses.append(response)
                    numbered.append((response, event))
            chunk.supports.extend([rid, u.pk, submitted] for u in remark.supporters)
            if rng.random() < 0.1:
                chunk.attachments.append([rid, author_id, "attachments/none", "screenshot.png", "image/png",
                                          rng.randint(20_000, 900_000), submitted])
        # Outgoing numbers in the order the responses were sent, per agency and year, gap-free.
        for response, event in sorted(numbered, key=lambda pair: pair[0][8]):
            key = (codes[response[1]], response[3])
            numbers[key] += 1
            response[4] = numbers[key]
            response[2] = f"{key[0]}-{key[1]}-{numbers[key]:05d}"
            event[6] = {"outgoing_number": response[2]}
