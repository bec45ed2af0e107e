from __future__ import annotations

from dsfr.forms import DsfrBoundField, DsfrDjangoTemplates


class DsfrFormRenderer(DsfrDjangoTemplates):
    """Renders every form of the project, allauth's included, with DSFR markup
    (labels, hints, errors linked by aria-describedby)."""

    form_template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField
