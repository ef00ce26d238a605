"""The form renderer: Django's own form and widget templates, rendered by Jinja2.

Django ships every built-in form template twice, for its template language and for Jinja2
(django/forms/jinja2), and says the two render the same markup. Jinja2 compiles them to Python
functions, so a select of many options or a filter form of sixteen fields costs a fraction of
the template language's per-node work (an include and a context copy per option). The queues,
with their filter and bulk forms, spent about half their CPU there.

A template Jinja2 does not have (the admin's widget wrappers, a third-party widget) is rendered
by Django's template language as before: nothing has to be written twice."""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self):
        self.fast = Jinja2()
        self.fallback = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.fast.get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
