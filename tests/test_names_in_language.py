"""Names in the reader's language (issue 17, part 5): an agency is named by its short name in
the language of the page, the notice or the e-mail (ІІМ / МВД / MIA), never by its Latin code,
which stays in the outgoing numbers; a systemic measure's title is read in the reader's language.
The short names expected here are the real abbreviations, written from the issue."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.urls import reverse

from agencies.models import Agency
from remarks import demo_data, services
from remarks.models import Measure, Remark, Response, StaffNotificationSettings
from remarks.workflow import Status

SHORT = {"kk": "ІІМ", "ru": "МВД", "en": "MIA"}
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def short_names(world):
    """The agencies of the world with their short names, as an administrator fills them in."""
    for agency, names in ((world.mia, ("ІІМ", "МВД", "MIA")), (world.nit, ("ҰАТ", "НИТ", "NIT")),
                          (world.mj, ("ӘМ", "МЮ", "MoJ")), (world.ministry, ("ЦДИАӨМ", "МЦРИАП", "MDDIAI"))):
        agency.short_kk, agency.short_ru, agency.short_en = names
        agency.save()
    return world


def page(client, url, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def history(html: str) -> str:
    return re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)


def without(text: str, *numbers: str) -> str:
    for number in numbers:
        text = text.replace(number, "")
    return text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_history_names_the_agency_in_the_readers_language_and_keeps_the_code_in_the_number(
        client_for, author, remark_in, short_names, language):
    remark = remark_in(Status.RESOLVED)
    number = Response.objects.get(remark=remark).outgoing_number
    assert number.startswith("MIA-")  # the code stays in the outgoing number
    lines = history(page(client_for(author), remark.get_absolute_url(), language))
    assert SHORT[language] in lines
    assert number in lines
    assert "MIA" not in without(lines, number)


def test_an_escalation_names_the_competent_body_by_its_short_name(client_for, author, remark_in, short_names):
    remark = remark_in(Status.ESCALATED)
    lines = history(page(client_for(author), remark.get_absolute_url(), "ru"))
    assert "МЮ" in lines and not re.search(r"\bMJ\b", lines)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_notification_names_the_agency_in_the_readers_language(client_for, officer, remark_in, short_names,
                                                                 language):
    remark_in(Status.IN_REVIEW)
    html = page(client_for(officer), reverse("notifications:list"), language)
    notices = re.search(r"<main.*?</main>", html, re.S).group(0)
    assert SHORT[language] in notices
    assert "MIA" not in notices


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_an_email_names_the_agency_in_the_language_the_reader_chose(submit, coordinator, officer, short_names,
                                                                    language, django_capture_on_commit_callbacks):
    StaffNotificationSettings.objects.create(user=officer, email="immediate", language=language)
    remark = submit()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remark_transition(remark=remark, action="accept", actor=coordinator, agency=short_names.mia,
                                   assignee=officer)
    [to_officer] = [m for m in mail.outbox if m.to == [officer.email]]
    assert SHORT[language] in to_officer.subject and SHORT[language] in to_officer.body
    assert "MIA" not in to_officer.subject + to_officer.body


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_agency_chart_labels_the_agency_by_its_short_name(client_for, analyst, remark_in, short_names,
                                                              language):
    remark_in(Status.IN_REVIEW)
    html = page(client_for(analyst), "/stats/", language)
    chart = re.search(r'<svg[^>]*aria-labelledby="chart-agencies-title.*?</svg>', html, re.S).group(0)
    name = getattr(short_names.mia, f"name_{language}")
    assert f"{SHORT[language]} · {name}" in chart
    assert "MIA" not in chart


def test_without_a_short_name_the_agency_is_named_by_its_code(world):
    world.mia.short_kk, world.mia.short_ru, world.mia.short_en = "ІІМ", "", ""
    from django.utils import translation

    with translation.override("kk"):
        assert world.mia.short_name == "ІІМ"
    with translation.override("ru"):
        assert world.mia.short_name == "MIA"


@pytest.fixture
def measure(short_names):
    return Measure.objects.create(
        title="Электрондық өтініштерді жауапсыз жабуға тыйым салынды",
        title_ru="Запрещено закрывать электронные обращения без ответа",
        title_en="Electronic applications may no longer be closed without an answer",
        agency=short_names.mia, adopted_on=dt.date(2026, 5, 1))


@pytest.mark.parametrize("language, expected, others", [
    ("kk", "Электрондық өтініштерді жауапсыз жабуға тыйым салынды", ["Запрещено", "may no longer"]),
    ("ru", "Запрещено закрывать электронные обращения без ответа", ["жауапсыз", "may no longer"]),
    ("en", "Electronic applications may no longer be closed without an answer", ["жауапсыз", "Запрещено"]),
])
def test_a_measures_title_is_read_in_the_readers_language(client_for, author, officer, remark_in, measure,
                                                          language, expected, others):
    remark = remark_in(Status.IN_REVIEW)
    services.measure_apply(measure=measure, remarks=[remark], actor=officer, response_text="Fixed for everyone.")
    html = page(client_for(author), remark.get_absolute_url(), language)
    assert expected in html
    assert not any(other in html for other in others)


def test_a_measure_not_yet_translated_shows_its_kazakh_title(measure):
    from django.utils import translation

    measure.title_ru = ""
    with translation.override("ru"):
        assert str(measure) == "Электрондық өтініштерді жауапсыз жабуға тыйым салынды"


def test_the_demo_agencies_and_measure_have_names_in_three_languages():
    codes = {code for code, *_rest in demo_data.AGENCIES}
    assert set(demo_data.AGENCY_SHORT_NAMES) == codes
    for code, (kk, ru, en) in demo_data.AGENCY_SHORT_NAMES.items():
        assert kk and ru and en, code
        assert not LATIN.search(kk) and not LATIN.search(ru), code  # Cyrillic in Kazakh and Russian sentences
        assert not re.search(r"[А-Яа-яӘәІіҢңҒғҮүҰұҚқӨөҺһ]", en), code
    assert demo_data.AGENCY_SHORT_NAMES["MIA"] == ("ІІМ", "МВД", "MIA")
    assert demo_data.AGENCY_SHORT_NAMES["MFA"] == ("СІМ", "МИД", "MFA")
    for field in ("title", "title_ru", "title_en", "description", "description_ru", "description_en"):
        assert demo_data.MEASURE[field], field
    assert not LATIN.search(demo_data.MEASURE["title_ru"]) and not LATIN.search(demo_data.MEASURE["title"])


def test_the_migration_gives_the_known_agencies_their_short_names_and_keeps_what_is_written(world):
    Agency.objects.filter(pk=world.nit.pk).update(short_ru="АО НИТ")
    migration = importlib.import_module("agencies.migrations.0005_short_names")
    migration.fill_short_names(django_apps, None)
    mia, nit = Agency.objects.get(code="MIA"), Agency.objects.get(code="NIT")
    assert (mia.short_kk, mia.short_ru, mia.short_en) == ("ІІМ", "МВД", "MIA")
    assert (nit.short_kk, nit.short_ru, nit.short_en) == ("ҰАТ", "АО НИТ", "NIT")


def test_the_history_names_a_body_that_holds_the_remark_no_longer(client_for, author, coordinator, submit,
                                                                  short_names):
    # The page reads the bodies the remark has with it; one only its history names is read too.
    remark = services.remark_transition(remark=submit("Moved on"), action="accept", actor=coordinator,
                                        agency=short_names.mia)
    for agency in (short_names.nit, short_names.mj):  # NIT held it between the two
        services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action="reassign", actor=coordinator,
                                   agency=agency)
    lines = history(page(client_for(author), remark.get_absolute_url(), "ru"))
    assert "МВД" in lines and "НИТ" in lines and "МЮ" in lines
    codes = [short_names.mia.code, short_names.nit.code, short_names.mj.code]
    assert not re.search(rf"\b({'|'.join(codes)})\b", lines)
