"""The history of a remark is append-only: events and issued responses cannot be changed or
deleted, neither through the ORM nor through the admin; remarks leave the lists only by a
closing state, never by a delete in the admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from remarks.models import Remark, RemarkEvent, Response
from remarks.workflow import Status


@pytest.fixture
def resolved(remark_in):
    remark = remark_in(Status.RESOLVED)
    return remark, remark.events.order_by("pk").first(), remark.responses.get()


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("root", "root@example.kz", "root-password-1")


@pytest.fixture
def admin_client(operator, client_for):
    return client_for(operator)


def test_an_existing_event_cannot_be_saved_again(resolved):
    _remark, event, _response = resolved
    event.text = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    assert RemarkEvent.objects.get(pk=event.pk).text != "rewritten"


def test_an_issued_response_cannot_be_saved_again(resolved):
    _remark, _event, response = resolved
    response.body = "rewritten"
    with pytest.raises(PermissionError):
        response.save()
    assert Response.objects.get(pk=response.pk).body != "rewritten"


@pytest.mark.parametrize("model", [RemarkEvent, Response])
def test_history_cannot_be_updated_or_deleted_in_bulk(resolved, model):
    before = model.objects.count()
    with pytest.raises(PermissionError):
        if model is RemarkEvent:
            model.objects.all().update(created_at=None)
        else:
            model.objects.update(body="x")
    with pytest.raises(PermissionError):
        model.objects.all().delete()
    with pytest.raises(PermissionError):
        model.objects.filter(remark=resolved[0]).delete()
    assert model.objects.count() == before


def test_one_event_or_response_cannot_be_deleted(resolved):
    _remark, event, response = resolved
    for row in (event, response):
        with pytest.raises(PermissionError):
            row.delete()
    assert RemarkEvent.objects.filter(pk=event.pk).exists()
    assert Response.objects.filter(pk=response.pk).exists()


def test_a_remark_with_history_cannot_be_deleted_through_the_orm(resolved):
    from django.db.models import ProtectedError

    remark = resolved[0]
    with pytest.raises(ProtectedError):
        remark.delete()
    assert Remark.objects.filter(pk=remark.pk).exists()


@pytest.mark.parametrize("model", [Remark, RemarkEvent, Response])
def test_admin_grants_no_add_change_or_delete_even_to_a_superuser(operator, model):
    request = RequestFactory().get("/admin/")
    request.user = operator
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def _admin_url(row, view):
    return reverse(f"admin:remarks_{row._meta.model_name}_{view}", args=[row.pk])


def test_admin_delete_views_are_forbidden(admin_client, resolved):
    for row in resolved:
        response = admin_client.get(_admin_url(row, "delete"))
        assert response.status_code == 403, row
        response = admin_client.post(_admin_url(row, "delete"), {"post": "yes"})
        assert response.status_code == 403, row
    remark, event, issued = resolved
    assert Remark.objects.filter(pk=remark.pk).exists()
    assert RemarkEvent.objects.filter(pk=event.pk).exists()
    assert Response.objects.filter(pk=issued.pk).exists()


def test_admin_change_posts_change_nothing(admin_client, resolved):
    remark, event, issued = resolved
    events_before = remark.events.count()
    # The change page is read-only (a view permission only); a crafted POST is refused.
    assert admin_client.get(_admin_url(event, "change")).status_code == 200
    assert admin_client.post(_admin_url(event, "change"), {"text": "rewritten", "action": "resolve"}
                             ).status_code == 403
    assert admin_client.post(_admin_url(issued, "change"), {"body": "rewritten"}).status_code == 403
    assert admin_client.post(_admin_url(remark, "change"), {"status": Status.SUBMITTED, "title": "x"}
                             ).status_code == 403
    assert RemarkEvent.objects.get(pk=event.pk).text == event.text
    assert Response.objects.get(pk=issued.pk).body == issued.body
    fresh = Remark.objects.get(pk=remark.pk)
    assert (fresh.status, fresh.title) == (Status.RESOLVED, remark.title)
    assert fresh.events.count() == events_before


def test_admin_add_views_are_forbidden(admin_client, resolved):
    for model in ("remark", "remarkevent", "response"):
        assert admin_client.get(reverse(f"admin:remarks_{model}_add")).status_code == 403


def test_admin_changelist_offers_no_delete_action(admin_client, resolved):
    for model in ("remark", "remarkevent", "response"):
        response = admin_client.get(reverse(f"admin:remarks_{model}_changelist"))
        assert response.status_code == 200
        assert b"delete_selected" not in response.content
        response = admin_client.post(reverse(f"admin:remarks_{model}_changelist"),
                                     {"action": "delete_selected", "_selected_action": [resolved[0].pk],
                                      "post": "yes"})
        assert response.status_code in (200, 302)
    assert Remark.objects.filter(pk=resolved[0].pk).exists()
    assert RemarkEvent.objects.count() > 0
