"""Forms render Django's own form templates through Jinja2, the commonest of them written out
in Python (core.renderers): the same markup the users had, character for character, and the
admin's own widgets, which only the template language has, still work."""

from __future__ import annotations

import re

import pytest
from django.forms.renderers import get_default_renderer
from django.test import Client
from django.urls import reverse

from core import renderers
from remarks.workflow import Status
from tests.test_queue import QUEUE

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')
TOKEN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # a new filing's, each GET


def test_the_field_templates_are_written_out_and_the_others_are_jinja2_ones():
    renderer = get_default_renderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), renderers.Written)
    assert isinstance(renderer.get_template("django/forms/field.html"), renderers.Written)
    textarea = renderer.get_template("django/forms/widgets/textarea.html")
    assert type(textarea).__module__ == "django.template.backends.jinja2"


@pytest.fixture
def pages(client_for, world, author, coordinator, officer, secretary, analyst, remark_in, submit):
    """Pages with forms of every kind: selects with a choice kept, lists of checkboxes and radio
    buttons, text, dates, files, help texts, errors, labels in Kazakh."""
    submitted, in_review = remark_in(Status.SUBMITTED), remark_in(Status.IN_REVIEW)
    escalated = remark_in(Status.ESCALATED)
    world.registration.name_kk = 'Көлік <тіркеу> "онлайн" & ақы'
    world.registration.save()
    filters = {"service": world.registration.pk, "status": ["in_review", "submitted"], "overdue": "on",
               "due_before": "31.02.2026", "q": "payment", "assignee": officer.pk}
    return [
        (client_for(coordinator), "get", QUEUE, filters),
        (client_for(coordinator), "get", QUEUE, {}),
        (client_for(officer), "get", QUEUE, {"view": "all", "kind": "remark"}),
        (client_for(author), "get", reverse("remarks:mine"), {"status": "submitted"}),
        (client_for(author), "get", reverse("remarks:new"), {}),
        (client_for(author), "post", reverse("remarks:new"), {"title": "", "kind": "nonsense",
                                                             "affected_url": "javascript:alert(1)"}),
        (client_for(coordinator), "get", submitted.get_absolute_url(), {}),
        (client_for(officer), "get", in_review.get_absolute_url(), {}),
        (client_for(author), "get", in_review.get_absolute_url(), {}),
        (client_for(secretary), "get", escalated.get_absolute_url(), {}),
        (client_for(secretary), "get", reverse("agencies:commission"), {}),
        (client_for(analyst), "get", reverse("stats:index"), {"agency": world.mia.pk, "submitted_from": "10.10.2026",
                                                              "submitted_to": "01.10.2026"}),
        (client_for(officer), "get", reverse("notifications:settings"), {}),
        (client_for(author), "get", reverse("open311:keys"), {}),
        (client_for(author), "get", reverse("password_change"), {}),
        (Client(), "get", reverse("login"), {}),
        (Client(), "get", reverse("public:register"), {"category": world.registration.category_id,
                                                       "status": "resolved"}),
    ]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_form_renders_what_djangos_own_templates_render(pages, monkeypatch, language):
    """Each page, with the written-out templates and with Jinja2's alone: the same bytes but for
    the CSRF token and the filing form's token (new on every render)."""

    def html(client, method, path, data) -> str:
        client.cookies["django_language"] = language
        response = getattr(client, method)(path, data)
        assert response.status_code in (200, 400), (path, response.status_code)  # 400: a form with errors
        return TOKEN.sub("token", CSRF.sub(r'\1"', response.content.decode()))

    for page in pages:
        html(*page)  # once before: opening a remark reads its notifications (the header's count)
    written = [html(*page) for page in pages]
    monkeypatch.setattr(renderers, "WRITTEN", {})  # every template is Jinja2's again
    for page, fast in zip(pages, written, strict=True):
        slow = html(*page)
        assert "<form" in slow
        assert fast == slow, page[2]


def test_the_queue_filter_keeps_what_was_chosen_and_escapes_the_names(client_for, coordinator, world):
    world.registration.name_en = 'Registration <of> "vehicles"'
    world.registration.save()
    query = {"service": world.registration.pk, "status": "in_review"}
    html = client_for(coordinator).get(QUEUE, query).content.decode()
    service = re.search(r'<select name="service"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.search(rf'<option value="{world.registration.pk}" selected>Registration &lt;of&gt; '
                     r'(&#34;|&quot;)vehicles(&#34;|&quot;)</option>', service)
    assert re.search(r'<input type="checkbox" name="status" value="in_review" id="id_status_\d+" checked>', html)


def test_the_admin_widgets_render_through_the_template_language(settings, operator, client_for, world):
    settings.STAFF_2FA_REQUIRED = False
    response = client_for(operator).get(f"/admin/agencies/service/{world.registration.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    # The admin's related-object wrapper (a template of its own) around a Jinja2-rendered select.
    assert 'class="related-widget-wrapper"' in html
    assert re.search(rf'<option value="{world.mia.pk}"( selected)?>', html)


def test_grouped_choices_multiple_values_and_attributes_render_as_djangos_own(monkeypatch):
    """What the project's pages do not show yet: option groups, several values, bare and
    escaped attributes, a hidden input without a value."""
    from django import forms

    groups = [("Group <1>", [("a", "A & a"), ("b", 'B "b"')]), ("c", "C"), ("", "None")]

    class Everything(forms.Form):
        one = forms.ChoiceField(choices=groups, widget=forms.Select(attrs={"data-x": 'x"y', "disabled": True}))
        many = forms.MultipleChoiceField(choices=groups, widget=forms.SelectMultiple(attrs={"hidden": False}))
        radio = forms.ChoiceField(choices=groups, widget=forms.RadioSelect(attrs={"class": "inline"}))
        boxes = forms.MultipleChoiceField(choices=groups, widget=forms.CheckboxSelectMultiple, help_text="<b>h</b>")
        secret = forms.CharField(widget=forms.HiddenInput, required=False)

    data = {"one": "b", "many": ["a", "c"], "radio": "nope", "boxes": ["b"]}

    def rendered() -> list[str]:
        form = Everything(data, renderer=get_default_renderer())
        return [str(field.as_field_group()) for field in form] + [str(form["one"]), str(form.errors)]

    written = rendered()
    monkeypatch.setattr(renderers, "WRITTEN", {})
    assert written == rendered()
    assert "<optgroup" in written[0] and "<label>Group &lt;1&gt;</label>" in written[2]
