"""Demo data that tells the article's story: about 50 remarks, half of them resolved.

Every remark is filed and moved through the same services as in production, with the
clock set back, so the demo obeys every rule of the workflow."""

import datetime as dt
import random
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyMembership, Commission, CommissionSession, Service
from commissioners.models import Commissioner, Meeting
from remarks import deadlines, demo_data, services
from remarks.models import Category, Measure, OutboxEmail, Remark, ResponseTemplate
from remarks.terms import REOPEN_WINDOW_DAYS
from remarks.workflow import Action, Outcome, Status

User = get_user_model()

# What happens to each remark of demo_data.REMARKS, by its position.
PLAN = {
    Status.RESOLVED: [0, 2, 3, 5, 6, 9, 11, 12, 13, 15, 20, 21, 22, 23, 24, 25, 27, 28, 30, 31, 33, 34, 38, 39],
    Status.IN_REVIEW: [1, 4, 10, 16, 26, 29, 32, 37, 42],
    Status.NEEDS_INFO: [8, 35, 46],
    Status.SUBMITTED: [7, 36, 41, 44, 47],
    Status.ESCALATED: [17, 18, 19],
    Status.DECLINED: [14, 40],
    Status.WITHDRAWN: [43],
    Status.DUPLICATE: [45],
}
MEASURE_REMARKS = [21, 22, 23, 24, 25]
COMMISSION_RESOLVED = 20
REOPENED = 32
DUPLICATE_OF = {45: 33}
# A few remarks whose dates the story needs: a long-running one, an overdue one, and a
# duplicate filed after its original.
DAYS_AGO = {1: 75, 16: 48, 45: 30}
CO_EXECUTORS = {1: ["KAZPOST", "GOV4C", "NIT"], 10: ["MIA"]}
# The lead agency asks a co-executor for its part, which it gives (remark: co-executor).
CONTRIBUTIONS = {1: "KAZPOST"}
# Authors who allowed publication when filing; the first ones a coordinator has published.
PUBLISHED = [0, 2, 3, 5, 6, 9]
# Who else supports a remark, by its position modulo 3: offsets from its author among the
# commissioners (never the author).
SUPPORTERS = {0: (1, 2), 1: (3,), 2: ()}
CONSENTED = [11, 12, 13]

RESPONSE = {
    "kk": "Ескертуіңіз қаралды. Анықталған кемшілік жойылды, қызмет қалыпты жұмыс істейді. "
          f"Жауаппен келіспесеңіз, оны {REOPEN_WINDOW_DAYS} күн ішінде ескерту бетінде даулай аласыз.",
    "ru": "Ваше замечание рассмотрено. Выявленный недостаток устранён, услуга работает в штатном режиме. "
          "Если вы не согласны с ответом, его можно оспорить на странице замечания "
          f"в течение {REOPEN_WINDOW_DAYS} дней.",
}
DECLINE = {
    "kk": "Ұсыныс қаралды. Қазіргі заңнама бойынша оны іске асыру мүмкін емес; себебі жауапта көрсетілген. "
          f"Жауаппен келіспесеңіз, оны {REOPEN_WINDOW_DAYS} күн ішінде даулай аласыз.",
    "ru": "Обращение рассмотрено. В рамках действующего законодательства его реализация невозможна. "
          f"Если вы не согласны с ответом, его можно оспорить в течение {REOPEN_WINDOW_DAYS} дней.",
}


def support(remarks: dict, index: int, supporter, when: dt.datetime) -> None:
    services.support_toggle(remark=Remark.objects.get(pk=remarks[index].pk), user=supporter, now=when)


class Command(BaseCommand):
    help = "Load the demo data of the article (idempotent). Refuses when DEBUG is off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when remarks already exist.")

    def handle(self, *args, force=False, if_empty=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to load demo data anyway.")
        if if_empty and Remark.objects.exists():
            self.stdout.write("Remarks already exist; demo data not loaded.")
        else:
            with transaction.atomic():
                self.load()
        password = settings.SEED_DEMO_PASSWORD
        self.stdout.write(self.style.SUCCESS(
            "Demo accounts (password for all: %s): commissioner, coordinator, officer, head, secretary, analyst, "
            "admin" % password
        ))

    def load(self):
        password = settings.SEED_DEMO_PASSWORD
        agencies = {}
        for code, kind, is_ministry, kk, ru, en in demo_data.AGENCIES:
            agencies[code], _ = Agency.objects.update_or_create(
                code=code, defaults={"kind": kind, "is_ministry": is_ministry, "name_kk": kk, "name_ru": ru,
                                     "name_en": en, "letterhead_kk": kk, "letterhead_ru": ru,
                                     **dict(zip(("short_kk", "short_ru", "short_en"),
                                                demo_data.AGENCY_SHORT_NAMES[code], strict=True))})
        categories = {}
        for position, (code, kk, ru, en) in enumerate(demo_data.CATEGORIES):
            categories[code], _ = Category.objects.update_or_create(
                code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en, "position": position})
        services_by_code = {}
        for code, owner, channel, category, kk, ru, en in demo_data.SERVICES:
            services_by_code[code], _ = Service.objects.update_or_create(
                code=code, defaults={"owner": agencies[owner], "channel": channel, "category": categories[category],
                                     "name_kk": kk, "name_ru": ru, "name_en": en})
        ministry = agencies["MDDIAI"]
        commission, _ = Commission.objects.update_or_create(
            host=ministry, defaults={"name_kk": "Ведомствоаралық комиссия (ВАК)",
                                     "name_ru": "Межведомственная комиссия (МВК)",
                                     "name_en": "Interagency commission"})
        self._templates(categories)

        today = timezone.localdate()
        commissioners = []
        for index, (username, full_name, region, background, language) in enumerate(demo_data.COMMISSIONERS):
            user = self._user(username, full_name.split()[0], full_name.split()[-1], password)
            Commissioner.objects.update_or_create(user=user, defaults={
                "full_name": full_name, "region": region, "background": background, "language": language,
                "appointed_on": today.replace(day=1) - dt.timedelta(days=365 - index * 7)})
            commissioners.append(user)
        staff = {}
        for username, first, last, agency, role, position in demo_data.STAFF:
            user = self._user(username, first, last, password)
            AgencyMembership.objects.update_or_create(user=user, agency=agencies[agency], role=role,
                                                      defaults={"position": position, "position_kk": position,
                                                                "position_ru": demo_data.POSITIONS_RU[username]})
            staff[username] = user
        admin = self._user("admin", "Admin", "", password)
        if not admin.is_superuser:
            admin.is_superuser = admin.is_staff = True
            admin.save(update_fields=["is_superuser", "is_staff"])

        if Remark.objects.exists():
            self.stdout.write("Remarks already exist; reference data refreshed, remarks left as they are.")
            return
        self._remarks(commissioners, staff, agencies, services_by_code, commission, today)

    def _user(self, username, first, last, password):
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.kz"})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    def _templates(self, categories):
        texts = {
            Action.RESOLVE: ("Кемшілік жойылды", "Недостаток устранён", "The shortcoming is fixed",
                             RESPONSE["kk"], RESPONSE["ru"],
                             "Your remark was examined. The shortcoming is fixed and the service works normally. "
                             "If you disagree with the answer, you can dispute it on the remark's page "
                             f"within {REOPEN_WINDOW_DAYS} days."),
            Action.DECLINE: ("Құзырға жатпайды", "Не относится к компетенции", "Outside our competence",
                             DECLINE["kk"], DECLINE["ru"],
                             "Your remark was examined. Under the current law it cannot be implemented. "
                             f"If you disagree with the answer, you can dispute it within {REOPEN_WINDOW_DAYS} days."),
            Action.REQUEST_INFO: ("Скриншот қажет", "Нужен скриншот", "A screenshot is needed",
                                  "Қатенің скриншотын және өтінім нөмірін жіберуіңізді сұраймыз.",
                                  "Просим приложить скриншот ошибки и номер заявки.",
                                  "Please attach a screenshot of the error and the application number."),
        }
        for action, (kk, ru, en, body_kk, body_ru, body_en) in texts.items():
            ResponseTemplate.objects.update_or_create(
                action=action, name_kk=kk, defaults={"name_ru": ru, "name_en": en, "body_kk": body_kk,
                                                     "body_ru": body_ru, "body_en": body_en})

    def _remarks(self, commissioners, staff, agencies, services_by_code, commission, today):
        rng = random.Random(2026)
        status_of = {index: status for status, indexes in PLAN.items() for index in indexes}
        officer_of = {}
        for username, _first, _last, agency, role, _position in demo_data.STAFF:
            if role in ("officer", "head"):
                officer_of.setdefault(agency, staff[username])
        coordinator, secretary = staff["coordinator"], staff["secretary"]
        tz = timezone.get_current_timezone()

        def at(days_ago: float, hour: int = 10) -> dt.datetime:
            day = today - dt.timedelta(days=int(days_ago))
            return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=tz)

        measure = Measure.objects.create(**demo_data.MEASURE, agency=agencies["MDDIAI"],
                                         adopted_on=today - dt.timedelta(days=46))
        session = CommissionSession.objects.create(commission=commission, held_on=today - dt.timedelta(days=20),
                                                   protocol_number="1")
        remarks: dict[int, Remark] = {}
        steps: list[tuple[dt.datetime, int, object]] = []

        def step(when, index, action, actor, **inputs):
            def run():
                remark = Remark.objects.get(pk=remarks[index].pk)
                values = {name: value() if callable(value) else value for name, value in inputs.items()}
                services.remark_transition(remark=remark, action=action, actor=actor, now=when, **values)
            steps.append((when, len(steps), run))

        for index, (service_code, kind, language, title, description) in enumerate(demo_data.REMARKS):
            status = status_of[index]
            service = services_by_code[service_code]
            author = commissioners[index % len(commissioners)]
            days_ago = {
                Status.SUBMITTED: 1 + index % 3,
                Status.NEEDS_INFO: 10 + index % 8,
                Status.IN_REVIEW: 6 + (index * 7) % 25,
                Status.ESCALATED: 60 + index,
            }.get(status, 50 + (index * 11) % 120)
            if index in MEASURE_REMARKS:
                days_ago = 60 + index
            days_ago = DAYS_AGO.get(index, days_ago)
            submitted = at(days_ago, 9 + index % 8)

            def submit(index=index, service=service, author=author, kind=kind, title=title,
                       description=description, language=language, submitted=submitted):
                remarks[index] = services.remark_submit(
                    author=author, kind=kind, title=title, description=description, category=service.category,
                    service=service, language=language, now=submitted,
                    publication_consent=index in PUBLISHED or index in CONSENTED)
            steps.append((submitted, len(steps), submit))
            # Other commissioners support two remarks in three, on the evening they are filed.
            evening = submitted.replace(hour=18, minute=30)
            for offset in SUPPORTERS[index % 3]:
                supporter = commissioners[(index + offset + index // 3) % len(commissioners)]
                if supporter != author:
                    steps.append((evening, len(steps), partial(support, remarks, index, supporter, evening)))

            if status == Status.SUBMITTED:
                continue
            if status == Status.WITHDRAWN:
                step(at(days_ago - 1), index, Action.WITHDRAW, author,
                     text="Мәселе өздігінен шешілді, рахмет." if language == "kk" else "Вопрос решился сам, спасибо.")
                continue
            if status == Status.DUPLICATE:
                step(at(days_ago - 1), index, Action.MARK_DUPLICATE, coordinator,
                     original=lambda i=DUPLICATE_OF[index]: Remark.objects.get(pk=remarks[i].pk))
                continue
            if status == Status.ESCALATED or index == COMMISSION_RESOLVED:
                step(at(days_ago - 2), index, Action.ESCALATE, coordinator, commission=commission,
                     competent_agency=agencies["MFA"] if index % 2 else agencies["MJ"],
                     text="Мәселе басқа мемлекеттік органдардың құзырына жатады: шетелдік орган берген туу туралы "
                          "куәлікті тану ВАК шеңберінде шешілуі керек.")
                if index == COMMISSION_RESOLVED:
                    step(at(20, 16), index, Action.COMMISSION_DECIDE, secretary, session=session,
                         outcome=Outcome.RESOLVE, competent_agency=agencies["MJ"],
                         text="ВАК шешімі: шетелде туған балаларға жәрдемақы тағайындау тәртібі өзгертілді, "
                              "шетелдік туу туралы куәлік консулдық есепке алу негізінде қабылданады. "
                              f"Жауаппен келіспесеңіз, оны {REOPEN_WINDOW_DAYS} күн ішінде даулай аласыз.")
                continue
            if status == Status.DECLINED:
                step(at(days_ago - 3, 15), index, Action.DECLINE, coordinator, text=DECLINE[language])
                continue
            agency = service.owner
            assignee = officer_of.get(agency.code)
            step(at(days_ago - 1), index, Action.ACCEPT, coordinator, agency=agency, assignee=assignee,
                 co_agencies=[agencies[code] for code in CO_EXECUTORS.get(index, [])])
            if index in CONTRIBUTIONS:
                co = CONTRIBUTIONS[index]
                step(at(days_ago - 2, 11), index, Action.REQUEST_CONTRIBUTION, assignee, co_agency=agencies[co],
                     due_date=lambda i=index: deadlines.add_working_days(
                         Remark.objects.get(pk=remarks[i].pk).registered_on, 6),
                     text="Қазпоштаның бөлігі: техпаспорт пен нөмірді үйге жеткізудің шарттары мен бағасы.")
                step(at(days_ago - 5, 16), index, Action.CONTRIBUTE, officer_of[co],
                     text="Қазпошта жеткізуді 3 жұмыс күні ішінде жүзеге асыра алады; тариф ХҚКО алымына кіреді.")
            if status == Status.NEEDS_INFO:
                step(at(days_ago - 3, 11), index, Action.REQUEST_INFO, assignee or coordinator,
                     text="Қатенің скриншотын және өтінім нөмірін жіберіңізші.")
                continue
            if index in MEASURE_REMARKS:
                continue
            if status == Status.RESOLVED or index == REOPENED:
                late = index % 7 == 0
                step(at(max(days_ago - (28 if late else 4 + index % 9), 1), 15), index, Action.RESOLVE,
                     assignee or coordinator, text=RESPONSE[language])
                if index in PUBLISHED:
                    step(at(0, 7), index, Action.PUBLISH, coordinator, public_title=title,
                         public_description=description, public_answer=RESPONSE[language])
                if index == REOPENED:
                    step(at(0, 8), index, Action.REOPEN, author,
                         text="Мәселе толық шешілмеді: режим әлі де қосылмаған.")

        def apply_measure():
            services.measure_apply(
                measure=measure, remarks=[Remark.objects.get(pk=remarks[i].pk) for i in MEASURE_REMARKS],
                actor=coordinator, response_text=(
                    "Электрондық құжат айналымы жүйесіне өзгерістер енгізілді: мемлекеттік қызметшілер енді "
                    "электрондық өтініштерді жауапсыз жаба алмайды, әр электрондық жауапқа шығыс нөмірі беріледі. "
                    f"Жауаппен келіспесеңіз, оны {REOPEN_WINDOW_DAYS} күн ішінде даулай аласыз.\n\n"
                    "В систему электронного документооборота внесены изменения: государственные служащие больше "
                    "не могут закрыть электронное обращение без ответа, каждому электронному ответу присваивается "
                    "исходящий номер."),
                now=at(45, 12), bilingual=True)
        steps.append((at(45, 12), len(steps), apply_measure))
        # Play the story in the order it happened, so references and outgoing numbers
        # follow the calendar as they would have.
        for _when, _order, run in sorted(steps, key=lambda s: (s[0], s[1])):
            run()
        session.agenda.add(remarks[COMMISSION_RESOLVED], *(remarks[i] for i in PLAN[Status.ESCALATED]))
        vehicles = Category.objects.get(code="vehicles")
        meeting = Meeting.objects.create(
            held_on=today - dt.timedelta(days=14), sector=vehicles,
            title="Министрдің цифрлық комиссарлармен кездесуі: көлік және жүргізушілер",
            decisions="Азаматтарға арналған үкімет, ҚР ІІМ, Қазпошта және «ҰАТ» АҚ бірлесіп автокөлікті онлайн "
                      "тіркеу кезінде техпаспорт пен мемлекеттік нөмірді үйге жеткізу мүмкіндігін қарастырады.",
            created_by=coordinator)
        meeting.invited_agencies.set([agencies[c] for c in ("MIA", "GOV4C", "KAZPOST", "NIT")])
        meeting.agenda.set(Remark.objects.filter(category=vehicles).open())
        # The demo's history is back-dated: its e-mails would tell nobody anything new.
        OutboxEmail.objects.all().delete()
        total = Remark.objects.count()
        resolved = Remark.objects.filter(status=Status.RESOLVED).count()
        self.stdout.write(f"Loaded {total} remarks, {resolved} resolved.")
