"""The forms of argued feedback: drafting, answering, assigning, windows, inbox filters."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import timedelta

from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT, ManagementForm
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.access import authority_people
from accounts.models import Organisation, User
from arbitrations.caching import NAMESPACE as DECISIONS
from core import caching
from core import files as core_files
from core.forms import FastSelect, validate_portal_date
from core.text import whole_number
from topics.models import Requirement, Sons, Topic

from . import files, services
from .models import Feedback

SHORT = 2000
LONG = 10000


def _text(label, *, required=False, max_length=LONG, rows=4, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def _same(a: str, b: str) -> bool:
    return re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b).strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type de retour"), choices=Feedback.Kind.choices, widget=forms.RadioSelect
    )
    requirements = forms.ModelMultipleChoiceField(
        label=_("Exigences concernées"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune : le retour porte sur le sujet dans son ensemble."),
    )
    sons = forms.ModelMultipleChoiceField(
        label=_("SONS concernés"),
        queryset=Sons.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un SONS.")},
    )
    current_wording = _text(_("Rédaction actuelle"), rows=4)
    proposed_wording = _text(
        _("Rédaction proposée"),
        rows=4,
        help_text=_("Obligatoire pour une demande de modification ; différente de l'actuelle."),
    )
    argument = _text(_("Argumentaire"), required=True, rows=6)
    impact_effort = _text(_("Effort"), max_length=SHORT, rows=2)
    impact_cost = _text(_("Coût"), max_length=SHORT, rows=2)
    impact_deadline = _text(_("Délai"), max_length=SHORT, rows=2)
    impact_feasibility = _text(_("Faisabilité"), max_length=SHORT, rows=2)
    new_element = _text(
        _("Élément nouveau"),
        rows=3,
        help_text=_(
            "Obligatoire si le sujet a déjà été arbitré : les sujets arbitrés ne sont pas "
            "rouverts sans élément nouveau."
        ),
    )
    for_workshop = forms.BooleanField(
        label=_("À discuter en atelier"),
        required=False,
        help_text=_("Propose ce retour pour l'ordre du jour d'un atelier."),
    )
    attachments = MultipleFileField(label=_("Pièces jointes"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, topic: Topic, feedback: Feedback | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic = topic
        self.feedback = feedback
        self.fields["requirements"].queryset = topic.requirements.order_by("reference")
        self.fields["sons"].queryset = topic.scope.order_by("order", "code")
        self.fields["attachments"].help_text = _(
            "PDF, ODT, DOCX ou XLSX, %(size)s au plus par fichier."
        ) % {"size": filesizeformat(settings.FEEDBACK_ATTACHMENT_MAX_BYTES)}
        self.uploads: list[tuple[object, str]] = []

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        existing = self.feedback.attachments.count() if self.feedback and self.feedback.pk else 0
        if len(uploads) + existing > settings.FEEDBACK_ATTACHMENTS_PER_FEEDBACK:
            raise forms.ValidationError(
                _("Un retour compte %(count)s pièces jointes au plus.")
                % {"count": settings.FEEDBACK_ATTACHMENTS_PER_FEEDBACK}
            )
        for upload in uploads:
            if upload.size > settings.FEEDBACK_ATTACHMENT_MAX_BYTES:
                raise forms.ValidationError(
                    _("« %(name)s » dépasse %(size)s.")
                    % {
                        "name": upload.name,
                        "size": filesizeformat(settings.FEEDBACK_ATTACHMENT_MAX_BYTES),
                    }
                )
            try:
                found = files.recognise(upload)
            except core_files.TooLargeUncompressed as error:
                raise forms.ValidationError(
                    _("« %(name)s » : %(why)s") % {"name": upload.name, "why": error.message}
                ) from None
            if found is None:
                raise forms.ValidationError(
                    _(
                        "« %(name)s » n'est pas un fichier PDF, ODT, DOCX ou XLSX valide "
                        "(son contenu ne correspond pas à son extension)."
                    )
                    % {"name": upload.name}
                )
            self.uploads.append((upload, found))
        return uploads

    def clean(self):
        data = super().clean()
        current = data.get("current_wording", "")
        proposed = data.get("proposed_wording", "")
        if proposed and _same(current, proposed):
            self.add_error(
                "proposed_wording",
                _("La rédaction proposée est identique à la rédaction actuelle."),
            )
        if data.get("kind") == Feedback.Kind.CHANGE_REQUEST and not proposed.strip():
            self.add_error(
                "proposed_wording",
                _("Une demande de modification propose une rédaction."),
            )
        requirements = list(data.get("requirements") or [])
        sons = data.get("sons") or []
        if requirements and sons:
            perimeter = services.perimeter_sons(requirements)
            outside = [s.code for s in sons if s.pk not in perimeter]
            if outside:
                self.add_error(
                    "sons",
                    _("Hors du périmètre des exigences choisies : %(codes)s.")
                    % {"codes": ", ".join(outside)},
                )
        if self.files and self.errors:
            self.add_error(
                None,
                _(
                    "Les fichiers joints n'ont pas été conservés : "
                    "joignez-les à nouveau après correction."
                ),
            )
        return data

    def check_filing(self) -> None:
        """The concertation's rules on filing, as form errors."""
        if self.errors:
            return
        try:
            services.check_filing(
                topic=self.topic,
                requirements=list(self.cleaned_data["requirements"]),
                sons=list(self.cleaned_data["sons"]),
                new_element=self.cleaned_data.get("new_element", ""),
                now=timezone.now(),
            )
        except services.FeedbackRefused as refused:
            self.add_error(refused.field, refused.message)
            if self.files:
                self.add_error(
                    None,
                    _(
                        "Les fichiers joints n'ont pas été conservés : "
                        "joignez-les à nouveau après correction."
                    ),
                )

    def to_input(self) -> services.FeedbackInput:
        data = self.cleaned_data
        return services.FeedbackInput(
            topic=self.topic,
            kind=data["kind"],
            argument=data["argument"],
            requirements=list(data["requirements"]),
            sons=list(data["sons"]),
            current_wording=data["current_wording"],
            proposed_wording=data["proposed_wording"],
            impact_effort=data["impact_effort"],
            impact_cost=data["impact_cost"],
            impact_deadline=data["impact_deadline"],
            impact_feasibility=data["impact_feasibility"],
            new_element=data["new_element"],
            for_workshop=data["for_workshop"],
        )


class AnswerForm(forms.Form):
    PUBLISH_CHOICES = [
        ("publish", _("Publier la réponse maintenant")),
        ("review", _("Garder pour relecture par un autre responsable")),
    ]

    disposition = forms.ChoiceField(
        label=_("Suite donnée"),
        choices=[("", "—"), *Feedback.Disposition.choices],
        error_messages={"required": _("Choisissez la suite donnée.")},
    )
    text = _text(_("Réponse"), required=True, rows=5)
    publish = forms.ChoiceField(
        label=_("Publication"),
        choices=PUBLISH_CHOICES,
        initial="publish",
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = _("La réponse est obligatoire.")

    def to_input(self) -> services.AnswerInput:
        return services.AnswerInput(
            disposition=self.cleaned_data["disposition"],
            text=self.cleaned_data["text"],
            publish=self.cleaned_data["publish"] == "publish",
        )


class NulDroppingCharField(forms.CharField):
    """Text whose NUL characters are dropped rather than refused with the
    whole text (PostgreSQL cannot store them)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\x00", "")
        return super().to_python(value)


class InboxAnswerForm(forms.Form):
    """One feedback's answer in the leads' inbox, published at once. The
    inbox's table names the fields after the feedback (``suite-12``,
    ``reponse-12``, ``version-12``): one form for all the rows of a page."""

    ERROR = _("Choisissez une suite et rédigez la réponse (10 000 caractères au plus).")

    suite = forms.ChoiceField(choices=Feedback.Disposition.choices)
    reponse = NulDroppingCharField(max_length=LONG)
    version = forms.CharField(required=False)

    def __init__(self, *args, feedback: Feedback, **kwargs):
        self.feedback = feedback
        super().__init__(*args, **kwargs)

    def add_prefix(self, field_name: str) -> str:
        return f"{field_name}-{self.feedback.pk}"

    def to_answer(self) -> services.BulkAnswer:
        """The answer, claiming the version the inbox was read at (the
        feedback's current one when the page sent none)."""
        version = whole_number(self.cleaned_data["version"])
        return services.BulkAnswer(
            self.feedback,
            self.feedback.version if version is None else version,
            services.AnswerInput(self.cleaned_data["suite"], self.cleaned_data["reponse"]),
        )


class BaseInboxAnswerFormSet(forms.BaseFormSet):
    """The answers a lead publishes from the inbox at once: a form for each
    feedback ticked, valid when every one is (all are saved, or none). The
    table sends no management form: the feedbacks ticked say how many forms
    there are."""

    def __init__(self, data, *, feedbacks: Sequence[Feedback]):
        self.feedbacks = list(feedbacks)
        super().__init__(data)

    @cached_property
    def management_form(self) -> ManagementForm:
        count = len(self.feedbacks)
        counts = {self.add_prefix(name): count for name in (TOTAL_FORM_COUNT, INITIAL_FORM_COUNT)}
        form = ManagementForm(counts, prefix=self.prefix)
        form.full_clean()
        return form

    def get_form_kwargs(self, index):
        return {"feedback": self.feedbacks[index]}

    def errors_by_feedback(self) -> dict[int, str]:
        """The message the table shows beside each answer refused."""
        return {form.feedback.pk: InboxAnswerForm.ERROR for form in self.forms if form.errors}

    def answers(self) -> list[services.BulkAnswer]:
        return [form.to_answer() for form in self.forms]


InboxAnswerFormSet = forms.formset_factory(
    InboxAnswerForm, formset=BaseInboxAnswerFormSet, extra=0, max_num=1000, absolute_max=1000
)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Attribuer à"), queryset=User.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = authority_people().order_by("family_name", "given_name")


class InviteForm(forms.Form):
    """Other federations asked to co-sign a filed feedback."""

    federations = forms.ModelMultipleChoiceField(
        label=_("Fédérations invitées à cosigner"),
        help_text=_("Elles pourront lire ce retour et le cosigner."),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, feedback: Feedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federations"].queryset = (
            Organisation.objects.filter(kind=Organisation.Kind.FEDERATION)
            .exclude(pk=feedback.organisation_id)
            .exclude(feedback_invitations=feedback)
            .exclude(feedback_signatures__feedback=feedback)
            .order_by("name")
        )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class WindowForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("Ouverture (heure de Paris)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        validators=[validate_portal_date],
    )
    closes_at = forms.DateTimeField(
        label=_("Clôture (heure de Paris)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        validators=[validate_portal_date],
    )

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("La clôture suit l'ouverture."))
        return data


AGE_CHOICES = [
    ("", _("Toutes")),
    ("7", _("Déposés depuis plus de 7 jours")),
    ("14", _("Déposés depuis plus de 14 jours")),
    ("30", _("Déposés depuis plus de 30 jours")),
]


class InboxFilterForm(forms.Form):
    recherche = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=200,
        help_text=_("Une référence d'exigence ou des mots de l'argumentaire."),
    )
    sujet = forms.ModelChoiceField(
        label=_("Sujet"),
        queryset=Topic.objects.none(),
        required=False,
        to_field_name="pk",
        widget=FastSelect,
    )
    sons = forms.ModelChoiceField(
        label=_("SONS"),
        queryset=Sons.objects.none(),
        required=False,
        to_field_name="code",
        widget=FastSelect,
    )
    statut = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", _("Tous")), *[c for c in Feedback.Status.choices if c[0] != "draft"]],
        widget=FastSelect,
    )
    # Typed, not chosen in a list: a list of every federation and editor
    # (hundreds, growing) weighed more than the rest of the page.
    organisation = forms.CharField(
        label=_("Fédération ou éditeur"),
        required=False,
        max_length=200,
        help_text=_("Son nom ou une partie du nom."),
    )
    anciennete = forms.ChoiceField(
        label=_("Ancienneté"), required=False, choices=AGE_CHOICES, widget=FastSelect
    )
    attribue = forms.ChoiceField(label=_("Attribué à"), required=False, widget=FastSelect)
    atelier = forms.BooleanField(label=_("Proposés pour un atelier"), required=False)
    arbitre = forms.BooleanField(label=_("Sur un sujet déjà arbitré"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sujet"].queryset = Topic.objects.order_by("order", "number")
        self.fields["sons"].queryset = Sons.objects.order_by("order", "code")
        self.fields["attribue"].choices = [
            ("", _("Tous")),
            ("aucun", _("Personne")),
            *[
                (str(u.pk), u.get_full_name())
                for u in authority_people()
                .order_by("family_name")
                .only("given_name", "family_name", "closed_at")
            ],
        ]

    def fragment_key(self) -> str:
        """What the form's rendering depends on, for the template's fragment
        cache: the topics and SONS (the decision pages' cache version), the
        leads it lists, the values chosen. The topics and leads grow with
        the concertation: they are rendered once, not on every request."""
        data = self.data
        chosen = sorted((name, data.getlist(name)) for name in self.fields if name in data)
        parts = (caching.version(DECISIONS), self.fields["attribue"].choices, chosen)
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    def filter(self, feedback):
        if not self.is_valid():
            return feedback
        data = self.cleaned_data
        words = (data.get("recherche") or "").strip()
        if words:
            on_requirement = Feedback.requirements.through.objects.filter(
                requirement__reference__icontains=words
            ).values("feedback_id")
            feedback = feedback.filter(
                Q(argument__icontains=words)
                | Q(proposed_wording__icontains=words)
                | Q(organisation__name__icontains=words)
                | Q(pk__in=on_requirement)
            )
        if data.get("sujet"):
            feedback = feedback.filter(topic=data["sujet"])
        if data.get("sons"):
            links = Feedback.sons.through.objects.filter(sons=data["sons"])
            feedback = feedback.filter(pk__in=links.values("feedback_id"))
        if data.get("statut"):
            feedback = feedback.filter(status=data["statut"])
        if data.get("organisation"):
            name = data["organisation"].strip()
            feedback = feedback.filter(
                Q(organisation__slug=name) | Q(organisation__name__icontains=name)
            )
        if data.get("anciennete"):
            limit = timezone.now() - timedelta(days=int(data["anciennete"]))
            feedback = feedback.filter(filed_at__lt=limit)
        assignee = data.get("attribue")
        if assignee == "aucun":
            feedback = feedback.filter(assignee=None)
        elif assignee:
            feedback = feedback.filter(assignee_id=int(assignee))
        if data.get("atelier"):
            feedback = feedback.filter(for_workshop=True)
        if data.get("arbitre"):
            feedback = feedback.filter(on_decided_subject=True)
        return feedback
