"""The calendar's forms. Dates and hours are typed in Europe/Paris, whatever
the server's or the browser's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import files
from core.forms import validate_portal_date
from topics.models import Topic

from .models import PARIS, AgendaItem, Audience, Event, EventDocument
from .uploads import MAX_UPLOAD_SIZE, sniff

UTC = ZoneInfo("UTC")


def paris_datetime(day: date, at: time) -> datetime:
    """The instant of a Paris wall-clock time; refuses the hour that does not
    exist when clocks go forward."""
    value = datetime.combine(day, at, tzinfo=PARIS)
    if value.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) != value.replace(tzinfo=None):
        raise forms.ValidationError(
            _("Cette heure n’existe pas à Paris ce jour-là (passage à l’heure d’été)."),
            code="nonexistent",
        )
    return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class EventForm(forms.ModelForm):
    day = forms.DateField(
        label=_("Date"), required=False, widget=DateInput(), validators=[validate_portal_date]
    )
    start_time = forms.TimeField(
        label=_("Heure de début"),
        required=False,
        widget=TimeInput(),
        help_text=_("Heure de Paris."),
    )
    end_day = forms.DateField(
        label=_("Date de fin"),
        required=False,
        widget=DateInput(),
        validators=[validate_portal_date],
        help_text=_("Si l’événement dure plusieurs jours."),
    )
    end_time = forms.TimeField(
        label=_("Heure de fin"), required=False, widget=TimeInput(), help_text=_("Heure de Paris.")
    )
    target_week = forms.DateField(
        label=_("Semaine visée"),
        required=False,
        widget=DateInput(),
        validators=[validate_portal_date],
        help_text=_("Pour un événement à planifier : un jour de la semaine visée."),
    )
    # The revision the form was loaded at: an edit made meanwhile is not overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "description",
            "status",
            "all_day",
            "day",
            "start_time",
            "end_day",
            "end_time",
            "target_week",
            "audiences",
            "place",
            "visio_url",
            "capacity",
        ]
        widgets = {
            "audiences": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "description": _("Markdown simple : **gras**, listes, liens."),
            "all_day": _("Sans heure, comme la plupart des ateliers."),
            "audiences": _("Aucun : l’événement est ouvert à tous les publics."),
            "capacity": _("Pour un atelier : nombre maximal d’organisations. Vide : sans limite."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audiences"].queryset = Audience.objects.all()
        event = self.instance
        if event.pk:
            self.fields["version"].initial = event.sequence
        if event.starts_at:
            start = timezone.localtime(event.starts_at, PARIS)
            self.fields["day"].initial = start.date()
            if not event.all_day:
                self.fields["start_time"].initial = start.time()
        if event.ends_at:
            end = timezone.localtime(event.ends_at, PARIS)
            if not event.starts_at or end.date() != self.fields["day"].initial:
                self.fields["end_day"].initial = end.date()
            if not event.all_day:
                self.fields["end_time"].initial = end.time()

    def clean(self):
        data = super().clean()
        status = data.get("status")
        day, end_day = data.get("day"), data.get("end_day")
        start_time, end_time = data.get("start_time"), data.get("end_time")
        all_day = data.get("all_day")
        if status == Event.Status.TO_SCHEDULE:
            if day or start_time or end_day or end_time:
                self.add_error(
                    "day",
                    _(
                        "Un événement à planifier n’a pas encore de date : videz la date et "
                        "les heures, ou choisissez un autre statut."
                    ),
                )
            if not data.get("target_week"):
                self.add_error(
                    "target_week", _("Indiquez la semaine visée d’un événement à planifier.")
                )
            else:
                week = data["target_week"]
                data["target_week"] = week - timedelta(days=week.weekday())
            data["starts_at"] = data["ends_at"] = None
        elif status:
            data["target_week"] = None  # a dated event needs no target week
            if not day:
                self.add_error(
                    "day", _("Indiquez la date, ou choisissez le statut « À planifier ».")
                )
            elif all_day:
                if start_time or end_time:
                    self.add_error(
                        "start_time",
                        _(
                            "Un événement sur la journée entière n’a pas d’heure : videz les "
                            "heures ou décochez « Toute la journée »."
                        ),
                    )
                if end_day and end_day < day:
                    self.add_error("end_day", _("La date de fin précède la date de début."))
                data["starts_at"] = datetime.combine(day, time(0), tzinfo=PARIS)
                data["ends_at"] = (
                    datetime.combine(end_day, time(0), tzinfo=PARIS)
                    if end_day and end_day > day
                    else None
                )
            elif not start_time:
                self.add_error(
                    "start_time",
                    _("Indiquez l’heure de début, ou cochez « Toute la journée »."),
                )
            else:
                try:
                    data["starts_at"] = paris_datetime(day, start_time)
                except forms.ValidationError as error:
                    self.add_error("start_time", error)
                data["ends_at"] = None
                if end_day and not end_time:
                    self.add_error("end_time", _("Indiquez l’heure de fin."))
                elif end_time:
                    try:
                        data["ends_at"] = paris_datetime(end_day or day, end_time)
                    except forms.ValidationError as error:
                        self.add_error("end_time", error)
                    starts_at = data.get("starts_at")
                    if data["ends_at"] and starts_at and data["ends_at"] <= starts_at:
                        self.add_error("end_time", _("La fin doit suivre le début."))
        if data.get("kind") != Event.Kind.WORKSHOP:
            data["capacity"] = None  # only workshops take registrations
        capacity = data.get("capacity")
        if capacity is not None and self.instance.pk:
            registered = self.instance.registrations.count()
            if capacity < registered:
                self.add_error(
                    "capacity",
                    _(
                        "%(count)s organisations sont déjà inscrites : la capacité ne peut "
                        "pas être inférieure."
                    )
                    % {"count": registered},
                )
        return data

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            self.instance.starts_at = self.cleaned_data.get("starts_at")
            self.instance.ends_at = self.cleaned_data.get("ends_at")
            if self.cleaned_data.get("status") == Event.Status.TO_SCHEDULE:
                self.instance.all_day = False


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l’annulation"),
        max_length=255,
        required=False,
        help_text=_("Affiché sur la page de l’événement."),
    )


class AgendaItemForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Sujet"),
        queryset=Topic.objects.order_by("order", "number"),
        required=False,
        empty_label=_("— Choisir un sujet —"),
    )
    label = forms.CharField(
        label=_("Ou un autre point"),
        max_length=AgendaItem._meta.get_field("label").max_length,
        required=False,
        help_text=_("Ex. « Questions-réponses »."),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("topic")) == bool(data.get("label")):
            raise forms.ValidationError(
                _("Choisissez un sujet ou écrivez un libellé (l’un ou l’autre)."), code="one_of"
            )
        return data


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=EventDocument.Kind.choices)
    title = forms.CharField(label=_("Titre"), max_length=255)
    file = forms.FileField(
        label=_("Fichier"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.odt,.docx,application/pdf,"
                "application/vnd.oasis.opendocument.text,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, ODT ou DOCX, %(size)s au plus.") % {
            "size": filesizeformat(MAX_UPLOAD_SIZE)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise forms.ValidationError(
                _("Ce fichier pèse %(size)s : %(max)s au plus.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_UPLOAD_SIZE)},
                code="too_big",
            )
        try:
            self.content_type = sniff(upload)
        except files.TooLargeUncompressed as error:
            raise forms.ValidationError(error.message, code="too_big_uncompressed") from None
        if self.content_type is None:
            raise forms.ValidationError(
                _(
                    "Ce fichier n’est ni un PDF, ni un document ODT, ni un document DOCX "
                    "(le format est lu dans son contenu, pas dans son nom)."
                ),
                code="format",
            )
        return upload


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Votre question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Les responsables y répondent pendant le temps de réponses."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Réponse"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Publiée dès l’enregistrement. Markdown simple."),
    )
