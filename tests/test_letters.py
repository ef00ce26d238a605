"""The official paper trail: the receipt of a filed remark, the PDF letter of each answer
(fixed at issue, rendered once by the worker, with its SHA-256), correcting letters, the
public /verify/, the answer's language, repeat remarks, extensions that end on a working day,
and the author told where a remark outside the ministry's competence went."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import Agency, AgencyMembership
from remarks import deadlines, services
from remarks.actions import TransitionError
from remarks.letters import language, snapshot, wording
from remarks.letters.services import letter_correct
from remarks.models import Letter, Receipt, Remark, Response, Sequence
from remarks.repeats import similarity
from remarks.workflow import Action, Status

KAZAKH = "әғқңөұүһі"
KK_ANSWER = ("Ескертуіңіз қаралды: төлем жүйесі жөнделді және қате енді қайталанбайды. "
             "Тексерілген әріптер: ә ғ қ ң ө ұ ү һ і.")
RU_ANSWER = "Ваше замечание рассмотрено: платёжная система исправлена, и ошибка больше не повторится."


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def fresh(remark) -> Remark:
    return Remark.objects.get(pk=remark.pk)


@pytest.fixture
def accepted(submit, coordinator, officer, world):
    def _accepted(**kw):
        remark = submit(**kw)
        return services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator,
                                          agency=world.mia, assignee=officer)
    return _accepted


def resolve(remark, officer, text=KK_ANSWER, **kw):
    return services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=officer, text=text, **kw)


def letter_of(remark) -> Letter:
    return Letter.objects.get(response__remark=remark, supersedes__isnull=True)


def numbers_used(agency) -> int:
    counter = Sequence.objects.filter(series=agency.code).first()
    return counter.last_value if counter else 0


# --- the receipt -----------------------------------------------------------------------


def test_a_remark_filed_on_a_sunday_gets_a_receipt_registered_on_the_next_working_day(submit, client_for,
                                                                                        author):
    with time_machine.travel(local(2026, 3, 15, 20, 30), tick=False):  # a Sunday evening
        remark = submit()
    receipt = Receipt.objects.get(remark=remark)
    assert receipt.registered_on == dt.date(2026, 3, 16) and receipt.registered_later
    assert receipt.due_date == remark.due_date and receipt.body_en == "Ministry of Internal Affairs"
    page = client_for(author).get(reverse("remarks:receipt", args=[remark.reference])).content.decode()
    assert "15.03.2026 20:30" in page and "16.03.2026" in page and receipt.code in page
    assert "snapshot taken at registration" in page
    assert 'class="nav"' not in page  # a print view: no navigation
    detail = client_for(author).get(remark.get_absolute_url()).content.decode()
    assert "Print the receipt" in detail and receipt.code in detail


def test_the_receipt_stays_as_registered_when_the_remark_moves_on(submit, coordinator, world, client_for,
                                                                   author):
    remark = submit()
    services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.nit)
    receipt = Receipt.objects.get(remark=remark)
    assert receipt.body_en == "Ministry of Internal Affairs"
    pdf = client_for(author).get(reverse("remarks:receipt_pdf", args=[remark.reference]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert remark.reference in text and receipt.code in text and "Ministry of Internal Affairs (kk)" in text


def test_other_commissioners_see_the_remark_but_not_its_receipt_or_letter(remark_in, client_for,
                                                                          other_commissioner):
    remark = remark_in(Status.RESOLVED)
    client = client_for(other_commissioner)
    assert client.get(reverse("remarks:receipt", args=[remark.reference])).status_code == 403
    number = remark.responses.get().outgoing_number
    assert client.get(reverse("remarks:letter", args=[remark.reference, number])).status_code == 403
    assert "(PDF)" not in client.get(remark.get_absolute_url()).content.decode()


# --- the letter --------------------------------------------------------------------------


def test_the_letter_is_a_pdf_with_number_reference_dispute_sentence_and_kazakh_letters(
        accepted, officer, client_for, author, django_capture_on_commit_callbacks):
    remark = accepted()
    with django_capture_on_commit_callbacks(execute=True):
        resolve(remark, officer)
    letter = letter_of(remark)
    assert letter.language == "kk" and letter.is_rendered
    assert letter.pdf_sha256 == hashlib.sha256(bytes(letter.pdf)).hexdigest()
    download = client_for(author).get(reverse("remarks:letter", args=[remark.reference, letter.outgoing_number]))
    assert download.status_code == 200 and download.content == bytes(letter.pdf)
    text = pdf_text(download.content)
    assert letter.outgoing_number in text and remark.reference in text and letter.code in text
    assert " ".join(wording.DISPUTE["kk"].split()) in " ".join(text.split())
    assert wording.DISPUTE["ru"][:30] not in text  # a Kazakh letter only
    assert "ә ғ қ ң ө ұ ү һ і" in text
    assert "Ministry of Internal Affairs (бланк)" in text and "officer лауазымы" in text
    assert "Alice Author" in text  # the addressee


def test_a_sent_letter_never_changes_when_its_agency_is_renamed(accepted, officer, world,
                                                                django_capture_on_commit_callbacks):
    remark = accepted()
    with django_capture_on_commit_callbacks(execute=True):
        resolve(remark, officer)
    before = bytes(letter_of(remark).pdf)
    Agency.objects.filter(pk=world.mia.pk).update(letterhead_kk="Жаңа атау", name_en="Renamed")
    assert snapshot.letter_render(letter_of(remark).pk) == "skipped"  # rendered once
    assert bytes(letter_of(remark).pdf) == before


@pytest.mark.django_db(transaction=True)  # commits, on_commit and the worker happen for real
def test_a_rename_between_issue_and_rendering_does_not_reach_the_letter(accepted, officer, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}
    settings.PERIODIC_JOBS = []
    remark = accepted()
    resolve(remark, officer)  # the rendering task is enqueued on commit
    assert not letter_of(remark).is_rendered  # waiting for the worker
    Agency.objects.filter(pk=world.mia.pk).update(letterhead_kk="Қайта аталған министрлік")
    AgencyMembership.objects.filter(user=officer).update(position_kk="Жаңа лауазым")
    call_command("worker", once=True)
    letter = letter_of(remark)
    text = pdf_text(bytes(letter.pdf))
    assert letter.is_rendered and "Ministry of Internal Affairs (бланк)" in text and "officer лауазымы" in text
    assert "Қайта аталған" not in text and "Жаңа лауазым" not in text


def test_an_unrendered_letter_whose_task_went_missing_is_enqueued_again(accepted, officer,
                                                                        django_capture_on_commit_callbacks):
    remark = accepted()
    resolve(remark, officer)  # committed without running the task (no on-commit here)
    assert not letter_of(remark).is_rendered
    assert snapshot.letters_requeue() == 0  # too early to call it lost
    later = timezone.now() + snapshot.RENDER_LATE + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert snapshot.letters_requeue(now=later) == 1  # the immediate backend renders it
    assert letter_of(remark).is_rendered
    assert snapshot.letter_render(letter_of(remark).pk) == "skipped"


def test_a_systemic_measure_stores_one_letter_per_remark_and_renders_after_commit(
        accepted, coordinator, world, django_capture_on_commit_callbacks):
    from remarks.models import Measure

    remarks = [accepted(title=f"Remark {n}") for n in range(3)]
    measure = Measure.objects.create(title="No closing without an answer", agency=world.ministry,
                                     adopted_on=dt.date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.measure_apply(measure=measure, remarks=[fresh(r) for r in remarks], actor=coordinator,
                               response_text=KK_ANSWER)
    assert Letter.objects.filter(pdf_sha256="").count() == 3  # nothing rendered inside the transaction
    for callback in callbacks:
        callback()
    assert Letter.objects.filter(pdf_sha256="").count() == 0


# --- bad input: nothing issued, no number used ---------------------------------------------


def test_a_signer_without_a_position_in_the_letters_language_issues_nothing(accepted, officer, world):
    remark = accepted(language="ru")
    AgencyMembership.objects.filter(user=officer).update(position_ru="")
    with pytest.raises(TransitionError, match="position"):
        resolve(remark, officer, text=RU_ANSWER)
    assert fresh(remark).status == Status.IN_REVIEW and numbers_used(world.mia) == 0
    assert not Response.objects.exists() and not Letter.objects.exists()


def test_an_agency_without_a_letterhead_in_both_languages_cannot_send_a_bilingual_letter(accepted, officer,
                                                                                         world):
    remark = accepted()
    Agency.objects.filter(pk=world.mia.pk).update(letterhead_ru="")
    with pytest.raises(TransitionError, match="letterhead name in Russian"):
        resolve(remark, officer, text=f"{KK_ANSWER}\n{RU_ANSWER}", bilingual=True)
    assert numbers_used(world.mia) == 0 and not Letter.objects.exists()
    resolve(remark, officer)  # the Kazakh letter needs only the Kazakh letterhead
    assert numbers_used(world.mia) == 1


def test_the_officer_sees_the_refusal_on_the_form(accepted, officer, client_for):
    remark = accepted(language="ru")
    page = client_for(officer).post(reverse("remarks:act", args=[remark.reference, "resolve"]),
                                    {"seen_status": "in_review", "resolve-text": KK_ANSWER})
    assert page.status_code == 400
    assert "the answer is in Kazakh" in page.content.decode()
    assert not Response.objects.exists()


# --- the answer's language -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "found"), [
    (KK_ANSWER, "kk"), (RU_ANSWER, "ru"), (f"{KK_ANSWER} {RU_ANSWER}", "kk_ru"),
    ("Fixed in the release of 12 May.", None), ("№ 17, https://egov.kz", None),
    ("Мәселе шешілді.", "kk"), ("Вопрос решён.", "ru"),
])
def test_kazakh_and_russian_are_told_apart(text, found):
    assert language.detect(text) == found


def test_a_kazakh_answer_to_a_russian_remark_is_refused(accepted, officer):
    remark = accepted(language="ru")
    with pytest.raises(TransitionError, match="written in Russian, but the answer is in Kazakh"):
        resolve(remark, officer, text=KK_ANSWER)


def test_a_bilingual_answer_is_accepted_and_the_letter_has_both_dispute_sentences(
        accepted, officer, django_capture_on_commit_callbacks):
    remark = accepted(language="ru")
    with django_capture_on_commit_callbacks(execute=True):
        resolve(remark, officer, text=f"{RU_ANSWER}\n\n{KK_ANSWER}", bilingual=True)
    letter = letter_of(remark)
    text = " ".join(pdf_text(bytes(letter.pdf)).split())
    assert letter.language == "kk_ru"
    for code in ("kk", "ru"):
        assert " ".join(wording.DISPUTE[code].split()) in text
    assert "Ваше замечание рассмотрено" in text


def test_a_bilingual_letter_refuses_an_answer_in_one_language(accepted, officer):
    remark = accepted(language="kk_ru")
    with pytest.raises(TransitionError, match="but the answer is in Russian"):
        resolve(remark, officer, text=RU_ANSWER)


def test_the_dispute_sentence_is_the_systems_not_the_officers(accepted, officer):
    remark = accepted()
    resolve(remark, officer)
    letter = letter_of(remark)
    assert letter.response.body == KK_ANSWER  # what was typed, as typed
    assert letter.content["dispute"] == {"kk": wording.DISPUTE["kk"]}


def test_the_answer_form_offers_bilingual_and_types_in_the_remarks_language(accepted, officer, client_for):
    remark = accepted(language="ru")
    page = client_for(officer).get(remark.get_absolute_url()).content.decode()
    assert 'name="resolve-bilingual"' in page and 'lang="ru"' in page


# --- correcting letters and /verify/ ---------------------------------------------------------


def verify(client, number, code):
    return client.get(reverse("verify"), {"number": number, "code": code})


def test_verify_shows_the_letter_without_personal_data(accepted, officer, django_capture_on_commit_callbacks):
    remark = accepted()
    with django_capture_on_commit_callbacks(execute=True):
        resolve(remark, officer)
    letter = letter_of(remark)
    page = verify(Client(), letter.outgoing_number, letter.code.lower()).content.decode()
    assert letter.outgoing_number in page and remark.reference in page and letter.pdf_sha256 in page
    assert "Ministry of Internal Affairs" in page and "no electronic digital signature" in page
    for personal in ("Alice", "Author", "Oscar", "Officer", remark.title, "payment", KK_ANSWER[:20]):
        assert personal not in page


def test_a_wrong_code_is_answered_exactly_as_a_missing_number(accepted, officer):
    remark = accepted()
    resolve(remark, officer)
    letter = letter_of(remark)
    def page(number):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "",
                      verify(Client(), number, "AAAAAAAAAA").content.decode())

    wrong_code, missing = page(letter.outgoing_number), page("MIA-2026-99999")
    assert wrong_code.replace(letter.outgoing_number, "X") == missing.replace("MIA-2026-99999", "X")
    assert "Not found" in missing


def test_verify_shows_a_receipts_registration_date_and_body_only(submit):
    remark = submit()
    receipt = Receipt.objects.get(remark=remark)
    page = verify(Client(), remark.reference, receipt.code).content.decode()
    assert "is registered" in page and receipt.registered_on.strftime("%d.%m.%Y") in page
    assert "Ministry of Internal Affairs" in page and "Alice" not in page and remark.title not in page


def test_verify_is_throttled_per_address(db):
    client = Client()
    from remarks.letters import views

    for _n in range(views.VERIFY_LIMIT):
        assert verify(client, "MIA-2026-00001", "AAAAAAAAAA").status_code == 200
    refused = verify(client, "MIA-2026-00001", "AAAAAAAAAA")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_a_correcting_letter_has_a_new_number_and_supersedes_the_old(accepted, officer, client_for, author,
                                                                    django_capture_on_commit_callbacks):
    remark = accepted()
    with django_capture_on_commit_callbacks(execute=True):
        resolve(remark, officer)
    old = letter_of(remark)
    old_bytes = bytes(old.pdf)
    response = client_for(officer).post(
        reverse("remarks:letter_correct", args=[remark.reference, old.outgoing_number]),
        {"text": "Түзетілген жауап: төлем жүйесі 12 мамырда жөнделді."})
    assert response.status_code == 302
    new = Letter.objects.get(supersedes=old)
    assert new.outgoing_number != old.outgoing_number and new.outgoing_number.startswith("MIA-")
    assert bytes(Letter.objects.get(pk=old.pk).pdf) == old_bytes  # the letter sent stays as it was
    page = verify(Client(), old.outgoing_number, old.code).content.decode()
    assert f"corrected by letter № {new.outgoing_number}" in page
    assert old.outgoing_number in verify(Client(), new.outgoing_number, new.code).content.decode()
    with pytest.raises(TransitionError, match="already corrected"):
        letter_correct(remark=remark, letter=old, actor=officer, text=KK_ANSWER)
    detail = client_for(author).get(remark.get_absolute_url()).content.decode()
    assert f"corrected by letter № {new.outgoing_number}" in detail


def test_only_the_signing_bodys_staff_correct_a_letter(accepted, officer, head, coordinator, author):
    remark = accepted()
    resolve(remark, officer)
    letter = letter_of(remark)
    with pytest.raises(TransitionError):
        letter_correct(remark=remark, letter=letter, actor=author, text=KK_ANSWER)
    with pytest.raises(TransitionError, match="Only staff of Ministry of Internal Affairs"):
        letter_correct(remark=remark, letter=letter, actor=coordinator, text=KK_ANSWER)
    assert letter_correct(remark=remark, letter=letter, actor=head, text=KK_ANSWER).supersedes_id == letter.pk


def test_the_authors_email_links_the_letter(accepted, officer, django_capture_on_commit_callbacks):
    remark = accepted()
    with django_capture_on_commit_callbacks(execute=True):
        resolve(remark, officer)
    letter = letter_of(remark)
    bodies = [m.body for m in mail.outbox if m.to == ["alice@example.kz"]]
    assert any(reverse("remarks:letter", args=[remark.reference, letter.outgoing_number]) in b for b in bodies)


# --- repeat remarks --------------------------------------------------------------------------

REPEAT_TITLE = "Online vehicle registration still rejects the payment"


def test_the_same_author_service_and_matter_after_an_answer_is_a_repeat(accepted, officer, submit, client_for,
                                                                        coordinator):
    with time_machine.travel(local(2026, 2, 2, 10), tick=False):
        first = accepted()
        resolve(first, officer, text="Fixed.")
    with time_machine.travel(local(2027, 2, 2, 10), tick=False):  # 12 months later
        repeat = submit(title=REPEAT_TITLE)
    assert repeat.repeat_of_id == first.pk
    page = client_for(coordinator).get(repeat.get_absolute_url()).content.decode()
    assert f"repeats {first.reference}" in page


def test_an_overdue_earlier_remark_makes_a_repeat(accepted, submit):
    with time_machine.travel(local(2026, 2, 2, 10), tick=False):
        first = accepted()
    with time_machine.travel(local(2026, 4, 1, 10), tick=False):  # unanswered and past due
        assert submit(title=REPEAT_TITLE).repeat_of_id == first.pk


@pytest.mark.parametrize("differs", ["author", "service", "time"])
def test_a_remark_differing_in_one_thing_is_not_a_repeat(differs, accepted, officer, submit, other_commissioner,
                                                         world):
    with time_machine.travel(local(2026, 2, 2, 10), tick=False):
        first = accepted()
        resolve(first, officer, text="Fixed.")
    when = local(2027, 2, 3, 10) if differs == "time" else local(2026, 6, 1, 10)  # 12 months and a day
    with time_machine.travel(when, tick=False):
        again = submit(title=REPEAT_TITLE, by=other_commissioner if differs == "author" else None,
                       service=world.portal if differs == "service" else None)
    assert again.repeat_of_id is None


def test_similarity_has_a_stated_threshold():
    from remarks import terms

    assert similarity("Online vehicle registration rejects the payment",
                      "Vehicle registration online still rejects payments") >= terms.REPEAT_SIMILARITY
    assert similarity("Online vehicle registration rejects the payment",
                      "The polyclinic queue page does not load") < terms.REPEAT_SIMILARITY


def test_a_commissioner_does_not_see_the_repeat_flag(accepted, officer, submit, client_for, author):
    with time_machine.travel(local(2026, 2, 2, 10), tick=False):
        first = accepted()
        resolve(first, officer, text="Fixed.")
        repeat = submit(title=REPEAT_TITLE)
    assert repeat.repeat_of_id == first.pk
    assert "repeats" not in client_for(author).get(repeat.get_absolute_url()).content.decode()


# --- extensions and forwarding -----------------------------------------------------------------


def test_an_extension_to_a_sunday_is_refused_naming_the_next_working_day(accepted, head):
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        remark = accepted()
        sunday = dt.date(2026, 3, 29)
        assert not deadlines.is_working_day(sunday)
        with pytest.raises(TransitionError, match="30.03.2026") as refused:
            services.remark_transition(remark=fresh(remark), action=Action.EXTEND_DEADLINE, actor=head,
                                       due_date=sunday, text="Vendor fix")
        assert refused.value.field == "due_date" and fresh(remark).due_date == remark.due_date
        extended = services.remark_transition(remark=fresh(remark), action=Action.EXTEND_DEADLINE, actor=head,
                                              due_date=dt.date(2026, 3, 30), text="Vendor fix")
    assert extended.due_date == dt.date(2026, 3, 30)


def test_the_author_is_told_to_whom_an_escalated_remark_went_and_why(remark_in, world, author,
                                                                     django_capture_on_commit_callbacks):
    from commissioners.models import Commissioner

    Commissioner.objects.filter(user=author).update(language="en")  # assertions read English
    with django_capture_on_commit_callbacks(execute=True):
        remark_in(Status.ESCALATED)
    body = next(m.body for m in mail.outbox if m.to == ["alice@example.kz"])
    assert "outside the competence of the Ministry of Digital Development" in body
    assert "Ministry of Justice" in body and "Competence of the Ministry of Justice" in body
