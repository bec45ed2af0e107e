from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from dsfr.forms import DsfrBoundField, DsfrDjangoTemplates


class DsfrFormRenderer(DsfrDjangoTemplates):
    """Renders every form of the project, allauth's included, with DSFR markup
    (labels, hints, errors linked by aria-describedby)."""

    form_template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField


class FastSelect(forms.Select):
    """A ``<select>`` whose options are written directly instead of through
    one template per option: the same markup, for long lists (hundreds of
    organisations) that a page renders on every request."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = []
        for _group, choices, _index in context["optgroups"]:
            for option in choices:
                options.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        str(option["value"]),
                        flatatt(option["attrs"]),
                        option["label"],
                    )
                )
        return format_html(
            '<select name="{}"{}>\n  {}\n</select>',
            context["name"],
            flatatt(context["attrs"]),
            mark_safe("\n  ".join(options)),  # noqa: S308 - each option escaped above
        )
