"""Synthetic remarks for benchmarks: realistic volume that obeys the workflow's invariants.

    manage.py generate_load --remarks 100000

Closed remarks carry official responses whose outgoing numbers are gap-free per agency and
year, every remark has its history, due dates come from the deadline rules, and references
are sequential per year. Rows go in with bulk inserts, and the statistics' facts are replayed
from the generated history by the function the services use (remarks.stats.facts). The command refuses to touch a
database that holds real remarks unless --force is given: its own remarks are those of the
commissioners it creates, whose usernames start with COMMISSIONER_PREFIX."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyMembership, Commission, Service
from commissioners.models import Commissioner, Region
from core.rows import insert_rows
from remarks import deadlines
from remarks.models import Attachment, Category, Comment, Remark, RemarkEvent, Response, Sequence, Support
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

EVENT_COLUMNS = ("remark_id", "actor_id", "action", "from_status", "to_status", "text", "payload", "created_at")
RESPONSE_COLUMNS = ("remark_id", "agency_id", "outgoing_number", "year", "sequence", "action", "body",
                    "signed_by_id", "sent_at")
SUPPORT_COLUMNS = ("remark_id", "user_id", "created_at")
COMMENT_COLUMNS = ("remark_id", "author_id", "body", "internal", "created_at")
ATTACHMENT_COLUMNS = ("remark_id", "uploaded_by_id", "file", "original_name", "content_type", "size", "created_at")


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
        for start in range(0, total, 10_000):
            with transaction.atomic():
                created += self._chunk(rng, world, plan[start:start + 10_000], options)
            self.stdout.write(f"  {created} remarks…")
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

    def _chunk(self, rng, world, moments, options):
        now = timezone.now()
        today = timezone.localdate()
        statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
        next_reference = self._next_numbers("R")
        remarks, fates = [], []
        for submitted in moments:
            age_days = (now - submitted).days
            status = rng.choices(statuses, weights)[0]
            if age_days > 120 and status in (Status.SUBMITTED, Status.NEEDS_INFO):
                status = Status.RESOLVED
            service = rng.choice(world["services"])
            registered = deadlines.registration_date(submitted)
            year = deadlines.local_date(submitted).year
            number = next_reference[year] = next_reference[year] + 1
            routed = status not in (Status.SUBMITTED, Status.WITHDRAWN, Status.DUPLICATE, Status.ESCALATED)
            closed_at = None
            if status in CLOSED:
                closed_at = min(submitted + dt.timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 6)), now)
            due = deadlines.answer_due(registered)
            author = rng.choice(world["commissioners"])
            supporters = [u for u in rng.sample(world["commissioners"], rng.choice((0, 0, 0, 1, 1, 2, 3, 5)))
                          if u.pk != author.pk]
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
            # One of TOPICS rarer words, so a full-text search can be selective.
            description = (" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
                           + f" нысан{rng.randrange(TOPICS):02d}")
            remarks.append(Remark(
                reference=f"R-{year}-{number:05d}", kind=rng.choice(("remark", "remark", "suggestion")),
                language=rng.choice(("kk", "kk", "ru")),
                title=title, description=description, search_text=search_text(title, description),
                category_id=service.category_id, service=service, proposed_agency_id=service.owner_id,
                agency_id=service.owner_id if routed else None,
                assignee=world["officer_of"].get(service.owner_id) if routed else None,
                author=author, status=status,
                return_status=Status.IN_REVIEW if status == Status.NEEDS_INFO else "",
                paused_on=today if status == Status.NEEDS_INFO else None,
                submitted_at=submitted, registered_on=registered, routing_due=deadlines.routing_due(registered),
                due_date=due, closed_at=closed_at, updated_at=closed_at or submitted,
                commission=world["commission"] if status == Status.ESCALATED else None,
                competent_agency=rng.choice(world["agencies"]) if status == Status.ESCALATED else None,
                support_count=len(supporters),
            ))
            fates.append(supporters)
        # A duplicate must name its original when it is written: originals go in first.
        originals = [r for r in remarks if r.status != Status.DUPLICATE]
        Remark.objects.bulk_create(originals, batch_size=BATCH)
        duplicates = [r for r in remarks if r.status == Status.DUPLICATE]
        for remark in duplicates:
            remark.duplicate_of = rng.choice(originals)
        Remark.objects.bulk_create(duplicates, batch_size=BATCH)

        events, responses, supports, comments, attachments = [], [], [], [], []
        next_outgoing = {}
        coordinator = world["coordinator"]
        numbered = []  # (response, event) pairs, numbered below in the order they were sent
        # Rows as plain lists in the order of *_COLUMNS (no model instances: 100,000 remarks
        # make about half a million of these rows).
        coordinator_id = coordinator.pk
        codes = {a.pk: a.code for a in [world["ministry"], *world["agencies"]]}
        for remark, supporters in zip(remarks, fates, strict=True):
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
                comments.append([rid, author_id, "Толықтыру: " + rng.choice(WORDS), False, created])
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
                    signer = world["officer_of"].get(agency_id, coordinator).pk
                    # outgoing_number and sequence are filled in below
                    response = [rid, agency_id, None, deadlines.local_date(remark.closed_at).year, None, action,
                                "Ескертуіңіз қаралды, кемшілік жойылды.", signer, remark.closed_at]
                    responses.append(response)
                    numbered.append((response, event))
            supports.extend([rid, u.pk, submitted] for u in supporters)
            if rng.random() < 0.1:
                attachments.append([rid, author_id, "attachments/none", "screenshot.png", "image/png",
                                    rng.randint(20_000, 900_000), submitted])
        # Outgoing numbers in the order the responses were sent, per agency and year, gap-free.
        for response, event in sorted(numbered, key=lambda pair: pair[0][8]):
            key = (codes[response[1]], response[3])
            if key not in next_outgoing:
                next_outgoing[key] = self._last_value(*key)
            next_outgoing[key] += 1
            response[4] = next_outgoing[key]
            response[2] = f"{key[0]}-{key[1]}-{next_outgoing[key]:05d}"
            event[6] = {"outgoing_number": response[2]}
        insert_rows(RemarkEvent, EVENT_COLUMNS, events)
        insert_rows(Response, RESPONSE_COLUMNS, responses)
        insert_rows(Support, SUPPORT_COLUMNS, supports)
        insert_rows(Comment, COMMENT_COLUMNS, comments)
        insert_rows(Attachment, ATTACHMENT_COLUMNS, attachments)
        facts.write(*facts.replay([remark.pk for remark in remarks]))
        for (code, year), value in next_outgoing.items():
            Sequence.objects.update_or_create(series=code, year=year, defaults={"last_value": value})
        for year, value in next_reference.items():
            Sequence.objects.update_or_create(series="R", year=year, defaults={"last_value": value})
        return len(remarks)

    def _next_numbers(self, series):
        return defaultdict(int, dict(Sequence.objects.filter(series=series).values_list("year", "last_value")))

    def _last_value(self, series, year):
        return Sequence.objects.filter(series=series, year=year).values_list("last_value", flat=True).first() or 0
