"""The forms leads fill to record decisions."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from calendar_app.models import Event
from topics.models import Requirement, RequirementSons, Sons

from .models import Arbitration
from .services import DecisionInput, Outcome, record_decision

COMMENT_HELP = _("Mise en forme Markdown : **gras**, listes, paragraphes.")


def new_token() -> str:
    return secrets.token_hex(16)


def sessions():
    return Event.objects.filter(kind=Event.Kind.SHARING_SESSION).order_by("starts_at")


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Event) -> str:
        day = obj.day
        return f"{obj.title} ({day:%d/%m/%Y})" if day else obj.title


class DecisionForm(forms.Form):
    sons = forms.ModelMultipleChoiceField(
        label=_("SONS concernés"),
        queryset=Sons.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un SONS.")},
    )
    decision = forms.ChoiceField(
        label=_("Arbitrage"), choices=Arbitration.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=COMMENT_HELP,
    )
    new_statement = forms.CharField(
        label=_("Nouvel énoncé"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Pour une exigence modifiée ou nouvelle : à la publication, cet énoncé "
            "devient une nouvelle version de l'exigence pour chaque SONS choisi."
        ),
    )
    session = SessionChoiceField(
        label=_("Annoncé lors de"), queryset=Event.objects.none(), required=False
    )
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    retour = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sons_choices, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        self.fields["sons"].queryset = sons_choices
        self.fields["session"].queryset = sessions()
        if not isinstance(subject, Requirement):
            del self.fields["new_statement"]

    @staticmethod
    def initial_for(subject, *, candidates, current, base, wanted, retour) -> dict:
        """What the form shows first: the SONS asked for (``wanted`` codes;
        all the ``candidates`` by default), their decision when they share
        one, and for a requirement its statement as it stands (a modified
        requirement starts from it)."""
        chosen = [s for s in candidates if s.code in wanted] or candidates
        initial = {"sons": chosen, "base": base, "token": new_token(), "retour": retour}
        if isinstance(subject, Requirement):
            statement = (
                RequirementSons.objects.filter(requirement=subject, sons__in=chosen)
                .order_by("sons__order")
                .values_list("statement", flat=True)
                .first()
            )
            initial["new_statement"] = statement or ""
        shown = {current.get(s.pk) for s in chosen}
        if len(shown) == 1 and None not in shown:
            (arbitration,) = shown
            initial.update(
                decision=arbitration.decision,
                comment=arbitration.comment,
                session=arbitration.session,
                new_statement=arbitration.new_statement or initial.get("new_statement", ""),
            )
        return initial

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == Arbitration.Decision.ADDED
            and "new_statement" in self.fields
            and not data.get("new_statement", "").strip()
        ):
            self.add_error("new_statement", _("Une nouvelle exigence a besoin de son énoncé."))
        return data

    def record(self, *, by) -> Outcome:
        """Record the decision as a draft (``record_decision``: it raises
        ``DecisionConflict`` when the SONS' decisions changed since ``base``)."""
        data = self.cleaned_data
        return record_decision(
            by=by,
            subject=self.subject,
            sons=list(data["sons"]),
            data=DecisionInput(
                decision=data["decision"],
                comment=data["comment"],
                session=data["session"],
                new_statement=data.get("new_statement", ""),
            ),
            base=data["base"],
            token=data["token"],
        )

    def restated(self, base: str) -> DecisionForm:
        """After a conflict: what the person typed, standing on the current
        state (``base``) with a new token, so that saving again is a knowing
        choice."""
        data = self.data.copy()
        data["base"] = base
        data["token"] = new_token()
        form = DecisionForm(data, sons_choices=self.fields["sons"].queryset, subject=self.subject)
        form.is_valid()
        return form


class BulkDecisionForm(forms.Form):
    """Several requirements of a topic at once: one decision and one comment
    for all, or one of each per requirement."""

    SAME = "same"
    EACH = "each"

    requirements = forms.ModelMultipleChoiceField(
        label=_("Exigences"),
        queryset=Requirement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une exigence.")},
    )
    sons = forms.ModelMultipleChoiceField(
        label=_("SONS concernés"),
        queryset=Sons.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un SONS.")},
    )
    mode = forms.ChoiceField(
        label=_("Arbitrage"),
        choices=[
            (SAME, _("Le même arbitrage et le même commentaire pour toutes")),
            (EACH, _("Un arbitrage et un commentaire par exigence")),
        ],
        initial=SAME,
        widget=forms.RadioSelect,
    )
    decision = forms.ChoiceField(
        label=_("Arbitrage commun"),
        choices=[("", "—"), *Arbitration.Decision.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Commentaire commun"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=COMMENT_HELP,
    )
    session = SessionChoiceField(
        label=_("Annoncé lors de"), queryset=Event.objects.none(), required=False
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, requirements, sons_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirement_list = list(requirements)
        self.fields["requirements"].queryset = Requirement.objects.filter(
            pk__in=[r.pk for r in self.requirement_list]
        )
        self.fields["sons"].queryset = sons_choices
        self.fields["session"].queryset = sessions()
        choices = [("", "—"), *Arbitration.Decision.choices]
        for requirement in self.requirement_list:
            self.fields[f"decision_{requirement.pk}"] = forms.ChoiceField(
                label=_("Arbitrage pour %(reference)s") % {"reference": requirement.reference},
                choices=choices,
                required=False,
            )
            self.fields[f"comment_{requirement.pk}"] = forms.CharField(
                label=_("Commentaire pour %(reference)s") % {"reference": requirement.reference},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"base_{requirement.pk}"] = forms.CharField(
                widget=forms.HiddenInput, required=False
            )

    def rows(self):
        """Per requirement: its checkbox value, and its own decision, comment, base fields."""
        return [
            {
                "requirement": requirement,
                "decision": self[f"decision_{requirement.pk}"],
                "comment": self[f"comment_{requirement.pk}"],
                "base": self[f"base_{requirement.pk}"],
                "checked": str(requirement.pk)
                in [str(v) for v in (self["requirements"].value() or [])],
            }
            for requirement in self.requirement_list
        ]

    def clean(self):
        data = super().clean()
        chosen = data.get("requirements") or []
        if data.get("mode") == self.SAME:
            if not data.get("decision"):
                self.add_error("decision", _("Choisissez l'arbitrage commun."))
        elif data.get("mode") == self.EACH:
            for requirement in chosen:
                if not data.get(f"decision_{requirement.pk}"):
                    self.add_error(
                        f"decision_{requirement.pk}",
                        _("Choisissez l'arbitrage de %(reference)s.")
                        % {"reference": requirement.reference},
                    )
        return data
