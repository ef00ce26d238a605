"""Personas and a small world of reference data, shared by every test.

The personas are the people of the design: a commissioner who files (`author`), another
commissioner, the ministry's coordinator, an officer and the head of the executing agency
(MIA), an officer of another agency (NIT), the commission's secretary and an analyst.
`remark_in(status)` drives a remark into any state through the real services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone, translation

from agencies.models import Agency, AgencyMembership, Commission, CommissionSession, Service
from commissioners.models import Commissioner
from remarks import services
from remarks.models import Category, Remark
from remarks.workflow import Action, Status

User = get_user_model()
PASSWORD = "correct-horse-battery-staple-7"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run when they are enqueued (after commit), so a test reads their effect
    at once; the tests of the queue itself put the database queue back."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail"]}}


@pytest.fixture(autouse=True)
def _english_unless_asked(settings):
    """Assertions read English; Kazakh (the product's default) and Russian are exercised by
    the tests that ask for them with Accept-Language or translation.override."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    """Agencies, a sector, services and the commission."""

    def agency(code, name, **extra):
        return Agency.objects.create(code=code, name_kk=f"{name} (kk)", name_ru=f"{name} (ru)", name_en=name,
                                     letterhead_kk=f"{name} (бланк)", letterhead_ru=f"{name} (бланк ru)", **extra)

    ministry = agency("MDDIAI", "Ministry of Digital Development", kind="ministry", is_ministry=True)
    mia = agency("MIA", "Ministry of Internal Affairs", kind="ministry")
    nit = agency("NIT", "NIT JSC", kind="egov_operator")
    mj = agency("MJ", "Ministry of Justice", kind="ministry")
    vehicles = Category.objects.create(code="vehicles", name_kk="Көлік", name_ru="Транспорт",
                                       name_en="Vehicles")
    egov = Category.objects.create(code="egov", name_kk="e-gov", name_ru="e-gov", name_en="E-gov")
    registration = Service.objects.create(code="vehicle-registration", owner=mia, category=vehicles,
                                          name_kk="Автокөлікті тіркеу", name_ru="Регистрация автотранспорта",
                                          name_en="Vehicle registration")
    portal = Service.objects.create(code="egov-interface", owner=nit, category=egov,
                                    name_kk="e-gov интерфейсі",
                                    name_ru="Интерфейс e-gov", name_en="E-gov interface")
    commission = Commission.objects.create(host=ministry, name_kk="ВАК", name_ru="МВК", name_en="Commission")
    # Held today: a decision may be recorded only in a session held on or after the escalation.
    session = CommissionSession.objects.create(commission=commission, held_on=timezone.localdate(),
                                               protocol_number="1")
    return type("World", (), dict(ministry=ministry, mia=mia, nit=nit, mj=mj, vehicles=vehicles, egov=egov,
                                  registration=registration, portal=portal, commission=commission,
                                  session=session))


def _user(username, first, last):
    return User.objects.create_user(username=username, password=PASSWORD, first_name=first, last_name=last,
                                    email=f"{username}@example.kz")


def _commissioner(username, full_name):
    user = _user(username, *full_name.split())
    Commissioner.objects.create(user=user, full_name=full_name, region="astana", background="journalist",
                                appointed_on=dt.date(2025, 1, 10))
    return user


def _member(username, first, last, agency, role):
    user = _user(username, first, last)
    # Every member signs letters under a position in both languages (remarks.letters).
    AgencyMembership.objects.create(user=user, agency=agency, role=role, position_kk=f"{role} лауазымы",
                                    position_ru=f"{role} должность")
    return user


@pytest.fixture
def author(world):
    return _commissioner("alice", "Alice Author")


@pytest.fixture
def other_commissioner(world):
    return _commissioner("bob", "Bob Other")


@pytest.fixture
def coordinator(world):
    return _member("carol", "Carol", "Coordinator", world.ministry, "coordinator")


@pytest.fixture
def officer(world):
    return _member("oscar", "Oscar", "Officer", world.mia, "officer")


@pytest.fixture
def head(world):
    return _member("hanna", "Hanna", "Head", world.mia, "head")


@pytest.fixture
def other_officer(world):
    return _member("nina", "Nina", "Othagency", world.nit, "officer")


@pytest.fixture
def secretary(world):
    return _member("sam", "Sam", "Secretary", world.ministry, "secretary")


@pytest.fixture
def analyst(world):
    return _member("ann", "Ann", "Analyst", world.ministry, "analyst")


@pytest.fixture
def operator(world):
    """The operator of the installation: a superuser with no membership, so no business role."""
    return User.objects.create_superuser(username="root", password=PASSWORD, email="root@example.kz",
                                         first_name="Olga", last_name="Operator")


@pytest.fixture
def personas(author, other_commissioner, coordinator, officer, head, other_officer, secretary, analyst):
    return dict(author=author, other_commissioner=other_commissioner, coordinator=coordinator,
                officer=officer, head=head, other_officer=other_officer, secretary=secretary, analyst=analyst)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    return login


@pytest.fixture
def submit(world, author):
    """File a remark about vehicle registration as the author."""

    def _submit(title="Online vehicle registration rejects the payment", *, by=None, service=None, now=None,
                **kw):
        service = service or world.registration
        return services.remark_submit(
            author=by or author, kind=kw.pop("kind", "remark"), title=title,
            description=kw.pop("description", "The state fee is paid but the portal does not see it."),
            category=service.category, service=service, now=now, **kw)

    return _submit


@pytest.fixture
def remark_in(world, submit, author, coordinator, officer, secretary):
    """A remark driven into `status` through the services, the way users would."""

    def fresh(remark):
        return Remark.objects.get(pk=remark.pk)

    def _remark_in(status: str, **kw):
        remark = submit(**kw)
        if status == Status.SUBMITTED:
            return remark
        if status == Status.WITHDRAWN:
            return services.remark_transition(remark=remark, action=Action.WITHDRAW, actor=author,
                                              text="Solved")
        if status == Status.DUPLICATE:
            original = submit(title="The original")
            return services.remark_transition(remark=remark, action=Action.MARK_DUPLICATE, actor=coordinator,
                                              original=original)
        if status == Status.ESCALATED:
            return services.remark_transition(remark=remark, action=Action.ESCALATE, actor=coordinator,
                                              commission=world.commission, competent_agency=world.mj,
                                              text="Competence of the Ministry of Justice")
        if status == Status.DECLINED:
            return services.remark_transition(remark=remark, action=Action.DECLINE, actor=coordinator,
                                              text="Cannot be done under the current law.")
        remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator,
                                            agency=world.mia, assignee=officer)
        if status == Status.IN_REVIEW:
            return remark
        if status == Status.NEEDS_INFO:
            return services.remark_transition(remark=fresh(remark), action=Action.REQUEST_INFO, actor=officer,
                                              text="Which browser?")
        if status == Status.RESOLVED:
            return services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=officer,
                                              text="Fixed in the release of 12 May.")
        raise ValueError(status)

    return _remark_in



