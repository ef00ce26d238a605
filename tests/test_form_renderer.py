"""Forms render Django's own form templates through Jinja2 (core.renderers): the same markup
the users had, and the admin's own widgets, which only the template language has, still work."""

from __future__ import annotations

import re

from django.forms.renderers import get_default_renderer

from tests.test_queue import QUEUE


def test_the_form_templates_are_jinja2_ones():
    template = get_default_renderer().get_template("django/forms/widgets/select.html")
    assert type(template).__module__ == "django.template.backends.jinja2"


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
