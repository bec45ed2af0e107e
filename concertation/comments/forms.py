"""Forms of the comment threads and the leads' internal notes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMMENT_MAX_LENGTH

MARKDOWN_HELP = _(
    "Markdown simple : **gras**, *italique*, listes, liens. Le HTML est affiché tel quel. "
    "%(max)s caractères au plus."
) % {"max": f"{COMMENT_MAX_LENGTH:,}".replace(",", "\u202f")}


def _text_field(label, *, max_length: int = COMMENT_MAX_LENGTH, help_text=MARKDOWN_HELP, rows=4):
    return forms.CharField(
        label=label,
        max_length=max_length,
        help_text=help_text,
        # No maxlength attribute: an over-long text reaches the server, which
        # says how long it is instead of the browser cutting it silently.
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": _("Ce champ est obligatoire : écrivez votre texte."),
            "max_length": _(
                "%(limit_value)s caractères au plus (vous en avez écrit %(show_value)s)."
            ),
        },
    )


class _NoMaxLengthAttr:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            bound.widget.attrs.pop("maxlength", None)


class CommentForm(_NoMaxLengthAttr, forms.Form):
    sons = forms.ChoiceField(
        label=_("Énoncé commenté"),
        help_text=_("Le SONS dont vous commentez l'énoncé : sa version est enregistrée."),
        required=False,
    )
    body = _text_field(_("Votre commentaire"))

    def __init__(self, *args, sons_choices=(), default_sons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sons_by_code = {sons.code: sons for sons in sons_choices}
        if self.sons_by_code:
            self.fields["sons"].choices = [(code, code) for code in self.sons_by_code]
            self.fields["sons"].required = True
            if default_sons is not None:
                self.fields["sons"].initial = default_sons.code
        else:
            del self.fields["sons"]

    def chosen_sons(self):
        return self.sons_by_code.get(self.cleaned_data.get("sons") or "")


class ReplyForm(_NoMaxLengthAttr, forms.Form):
    body = _text_field(_("Votre réponse"))


class EditForm(_NoMaxLengthAttr, forms.Form):
    body = _text_field(_("Votre commentaire"))


class CorrectionForm(_NoMaxLengthAttr, forms.Form):
    body = _text_field(
        _("Correction"),
        help_text=_(
            "Le commentaire d'origine reste affiché ; la correction s'affiche dessous, datée."
        ),
        rows=3,
    )


class HideForm(_NoMaxLengthAttr, forms.Form):
    reason = _text_field(
        _("Motif du masquage"),
        max_length=500,
        help_text=_("Obligatoire ; affiché aux participants à la place du commentaire."),
        rows=2,
    )


class ReportForm(_NoMaxLengthAttr, forms.Form):
    reason = _text_field(
        _("Motif du signalement"),
        max_length=1000,
        help_text=_("Ce que les responsables de task force doivent examiner."),
        rows=2,
    )


class InternalNoteForm(_NoMaxLengthAttr, forms.Form):
    body = _text_field(
        _("Note interne"),
        help_text=_("Visible des seuls responsables de task force et administrateurs."),
        rows=3,
    )
