"""The form renderer: Django's own form and widget templates, rendered by Jinja2, the commonest
of them written out in Python.

Django ships every built-in form template twice, for its template language and for Jinja2
(django/forms/jinja2), and says the two render the same markup. Jinja2 compiles them to Python
functions, so a select of many options or a filter form of sixteen fields costs a fraction of
the template language's per-node work (an include and a context copy per option). The queues,
with their filter and bulk forms, spent about half their CPU there.

Even compiled, a select costs an include per option and a field group four template renders
(the group, its label, its errors, its widget): on the queue, 18 fields and about 120 options,
a quarter of the page's CPU. So the templates every field goes through (the field group, the
label, an empty or short error list, the inputs, the select and its options, the lists of
checkboxes and radio buttons) are also written here as plain functions, which build the same
markup as Django's Jinja2 templates, character for character (tests/test_form_renderer.py
renders every form of the project both ways and compares). A template not among them, or a
select whose options name a template of their own, is Jinja2's as before.

A template Jinja2 does not have (the admin's widget wrappers, a third-party widget) is rendered
by Django's template language: nothing has to be written twice."""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from markupsafe import escape

WIDGETS = "django/forms/widgets/"


def _attrs(attrs) -> str:
    """django/forms/attrs.html and widgets/attrs.html: ` name="value"`, a bare name for True,
    nothing for False."""
    return "".join("" if value is False else f" {escape(name)}" if value is True
                   else f' {escape(name)}="{escape(value)}"' for name, value in attrs.items())


def _input(widget: dict) -> str:
    # The template's `widget.value != None`: an equality, which a model choice's value of None meets.
    value = "" if widget["value"] == None else f' value="{escape(widget["value"])}"'  # noqa: E711
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(widget: dict) -> str:
    return f'<option value="{escape(widget["value"])}"{_attrs(widget["attrs"])}>{escape(widget["label"])}</option>'


def _input_option(widget: dict) -> str:
    if not widget.get("wrap_label"):
        return _input(widget)
    label_id = widget["attrs"].get("id")
    label_for = f' for="{escape(label_id)}"' if label_id else ""
    return f"<label{label_for}>{_input(widget)} {escape(widget['label'])}</label>"


OPTIONS = {f"{WIDGETS}select_option.html": _option, f"{WIDGETS}checkbox_option.html": _input_option,
           f"{WIDGETS}radio_option.html": _input_option, f"{WIDGETS}input_option.html": _input_option}


def _options_written(widget: dict) -> bool:
    return all(option["template_name"] in OPTIONS for _group, options, _index in widget["optgroups"]
               for option in options)


def _grouped(widget: dict, opening: str, item: str, closing: str) -> str:
    """The options of a select or of a list of inputs: each in `item` ({} the option), a group's
    between `opening` ({} its name) and `closing`."""
    parts = []
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(opening.format(escape(group)))
        parts.extend(item.format(OPTIONS[option["template_name"]](option)) for option in options)
        if group:
            parts.append(closing)
    return "".join(parts)


def _select(context: dict) -> str:
    widget = context["widget"]
    options = _grouped(widget, '\n  <optgroup label="{}">', "\n  {}", "\n  </optgroup>")
    return f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'


def _multiple_input(context: dict) -> str:
    widget = context["widget"]
    attrs = widget["attrs"]
    div_id = f' id="{escape(attrs["id"])}"' if attrs.get("id") else ""
    div_class = f' class="{escape(attrs["class"])}"' if attrs.get("class") else ""
    options = _grouped(widget, "\n  <div><label>{}</label>", "<div>\n    {}</div>", "\n  </div>")
    return f"<div{div_id}{div_class}>{options}\n</div>"


def _label(context: dict) -> str:
    if not context["use_tag"]:
        return str(escape(context["label"]))
    tag, attrs = escape(context["tag"]), context["attrs"]
    return f"<{tag}{_attrs(attrs) if attrs else ''}>{escape(context['label'])}</{tag}>"


def _errors(context: dict) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    error_id = f' id="{escape(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{escape(error)}</li>" for error in errors)
    return f'<ul class="{escape(context["error_class"])}"{error_id}>{items}</ul>'


def _field(context: dict) -> str:
    field = context["field"]
    if field.use_fieldset:
        described = field.aria_describedby
        described = f' aria-describedby="{escape(described)}"' if described else ""
        head = f"\n  <fieldset{described}>\n  {escape(field.legend_tag()) if field.label else ''}\n"
    else:
        head = f"\n  {escape(field.label_tag()) if field.label else ''}\n"
    help_text = ""
    if field.help_text:
        help_id = f' id="{escape(field.auto_id)}_helptext"' if field.auto_id else ""
        help_text = f'<div class="helptext"{help_id}>{field.help_text}</div>'
    tail = "</fieldset>" if field.use_fieldset else ""
    return f"{head}\n{help_text}\n{escape(field.errors)}\n{escape(field)}\n{tail}"


WRITTEN = {
    "django/forms/field.html": _field,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/errors/list/ul.html": _errors,
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}checkbox_select.html": _multiple_input,
    f"{WIDGETS}radio.html": _multiple_input,
    f"{WIDGETS}multiple_input.html": _multiple_input,
    **{f"{WIDGETS}{name}.html": lambda context: _input(context["widget"])
       for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
                    "search", "tel", "color", "checkbox")},
}
# The templates whose options are written here only when every option's template is.
WITH_OPTIONS = {name for name, function in WRITTEN.items() if function in (_select, _multiple_input)}


class Written:
    """A template of WRITTEN: its function, or Jinja2's template for what the function does not
    cover (options with a template of their own)."""

    def __init__(self, name: str, function, jinja2):
        self.name, self.function, self.jinja2 = name, function, jinja2

    def render(self, context=None, request=None):
        context = context or {}
        if self.name in WITH_OPTIONS and not _options_written(context["widget"]):
            return self.jinja2().render(context, request)
        return self.function(context)


class FormRenderer(BaseRenderer):
    def __init__(self):
        self.fast = Jinja2()
        self.fallback = DjangoTemplates()

    def get_template(self, template_name):
        if template_name in WRITTEN:
            return Written(template_name, WRITTEN[template_name], lambda: self.jinja2_template(template_name))
        return self.jinja2_template(template_name)

    def jinja2_template(self, template_name):
        try:
            return self.fast.get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
