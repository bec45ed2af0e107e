from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EmailPreference

HINTS = {
    EmailPreference.Frequency.IMMEDIATE: _(
        "Un courriel dès qu’il y a du nouveau (ce qui arrive dans la même minute est regroupé)."
    ),
    EmailPreference.Frequency.DAILY: _("Un courriel par jour au plus, à 7 h, groupé par sujet."),
    EmailPreference.Frequency.WEEKLY: _("Un courriel le lundi à 7 h au plus, groupé par sujet."),
    EmailPreference.Frequency.NONE: _(
        "Aucun courriel, rappels compris : les notifications restent dans le portail."
    ),
}


class EmailPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Recevoir par courriel ce qui change sur ce que je suis"),
        choices=EmailPreference.Frequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Les notifications restent toujours visibles dans le portail."),
    )
