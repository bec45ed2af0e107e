from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from dsfr.forms import DsfrBoundField, DsfrDjangoTemplates

# The years a date of the portal may take (an event, a feedback window, a
# month or a week in an address): any concertation's, and far from the ends
# of Python's dates, so that the week, the month or the reminder around a
# date always exists (9999-12-31 has no next week) and it converts to UTC.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def in_portal_years(day: date) -> bool:
    """For a date or a datetime."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def validate_portal_date(value: date) -> None:
    """For the date and datetime fields of forms."""
    if not in_portal_years(value):
        raise ValidationError(
            _("Choisissez une date entre %(first)s et %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="out_of_range",
        )


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
