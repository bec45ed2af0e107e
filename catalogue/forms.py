from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from topics.models import Topic

from .reading import FileRejected, check_size


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "Classeur XLSX ou ODS de l'autorité (une ligne par exigence et par SONS, ou l'export "
            "de son outil de recette : exigences, commentaires des éditeurs), fichier CSV ou "
            "export du portail (XLSX, CSV, JSON)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods,.csv,.json"}),
    )
    sheet = forms.CharField(
        label=_("Feuille"),
        required=False,
        max_length=100,
        help_text=_("Laissez vide : la première feuille qui porte les colonnes attendues."),
    )
    publish = forms.BooleanField(
        label=_("Publier les arbitrages importés"),
        required=False,
        help_text=_("Sinon ils sont enregistrés en brouillon, à publier ensuite."),
    )
    made_at = forms.DateTimeField(
        label=_("Date d’enregistrement"),
        required=False,
        help_text=_(
            "Quand le tableur a été enregistré (JJ/MM/AAAA HH:MM). Obligatoire pour un CSV, qui "
            "ne le dit pas : un arbitrage modifié depuis est signalé comme conflit, sans être "
            "écrasé. Pour un classeur, remplace la date qu'il porte."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except FileRejected as rejected:
            raise forms.ValidationError(str(rejected)) from None
        return upload


class SheetForm(forms.Form):
    sheet = forms.ChoiceField(label=_("Feuille à importer"), choices=())

    def __init__(self, *args, sheets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(name, name) for name in sheets]


def _label(proposal: dict) -> str:
    values = {
        "file": proposal["reference"],
        "target": proposal["target"],
        "new": proposal["new_reference"],
        "reason": proposal["reason"],
    }
    if proposal["kind"] == "renamed":
        return _("%(file)s : %(target)s renommée %(new)s (%(reason)s)") % values
    return _("%(file)s : %(target)s (%(reason)s)") % values


class MatchesForm(forms.Form):
    """The matches an import proposes: ticked, confirmed; unticked, declined."""

    accepted = forms.MultipleChoiceField(
        label=_("Correspondances confirmées"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, proposals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted"].choices = [(p["reference"], _label(p)) for p in proposals]
        self.fields["accepted"].initial = [p["reference"] for p in proposals]


class ConfirmForm(forms.Form):
    publish = forms.BooleanField(label=_("Publier les arbitrages importés"), required=False)


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.number}. {obj.label}" if obj.number else obj.label


class AssignTopicForm(forms.Form):
    topic = TopicChoiceField(
        label=_("Sujet"),
        queryset=Topic.objects.all(),
        empty_label=_("Aucun sujet (détacher)"),
        required=False,
    )
    references = forms.MultipleChoiceField(
        label=_("Exigences"),
        error_messages={"required": _("Cochez au moins une exigence.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any reference: the view keeps those that exist.
        self.fields["references"].valid_value = lambda value: bool(value)
