from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .access import invitable_roles
from .models import Invitation, Organisation, TaskForce, User


class ProfileForm(forms.ModelForm):
    """The attributes of SC.SSI/IE.33 a person keeps up to date themselves."""

    class Meta:
        model = User
        fields = [
            "given_name",
            "family_name",
            "profession",
            "rpps",
            "private_identifier",
            "language",
        ]
        help_texts = {
            "rpps": _("Facultatif : 11 chiffres, pour les professionnels de santé."),
            "private_identifier": _(
                "Facultatif : identifiant propre à votre organisation, unique sur le portail."
            ),
        }
        error_messages = {
            "private_identifier": {
                "unique": _("Cet identifiant privé est déjà attribué à une autre personne."),
            },
        }

    def clean_rpps(self) -> str:
        return (self.cleaned_data.get("rpps") or "").strip()

    def clean_private_identifier(self) -> str | None:
        # Empty means "none": NULL, so that the uniqueness binds only real values.
        return (self.cleaned_data.get("private_identifier") or "").strip() or None


class OrganisationForm(forms.ModelForm):
    """An organisation; an editor's federations and a federation's member editors."""

    member_editors = forms.ModelMultipleChoiceField(
        label=_("Éditeurs membres"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.EDITOR),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour une fédération : les éditeurs qui en sont membres."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "federations"]
        widgets = {"federations": forms.CheckboxSelectMultiple}
        help_texts = {"federations": _("Pour un éditeur : les fédérations dont il est membre.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federations"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.FEDERATION
        ).exclude(pk=self.instance.pk)
        if self.instance.pk:
            self.fields["member_editors"].initial = self.instance.member_editors.all()
            self.fields["member_editors"].queryset = self.fields["member_editors"].queryset.exclude(
                pk=self.instance.pk
            )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        slug = slugify(name)
        if not slug:
            raise forms.ValidationError(_("Le nom doit contenir des lettres ou des chiffres."))
        clash = Organisation.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Une organisation porte déjà ce nom."))
        return name

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind != Organisation.Kind.EDITOR and data.get("federations"):
            self.add_error("federations", _("Seul un éditeur est membre de fédérations."))
        if kind != Organisation.Kind.FEDERATION and data.get("member_editors"):
            self.add_error("member_editors", _("Seule une fédération a des éditeurs membres."))
        if self.instance.pk and kind != self.instance.kind and self.instance.members.exists():
            expected = ROLE_KINDS_BY_KIND.get(kind, set())
            if self.instance.members.exclude(role__in=expected).exists():
                self.add_error(
                    "kind",
                    _("Des membres de cette organisation ont un rôle incompatible avec ce type."),
                )
        return data


# Which roles belong in which kind of organisation.
ROLE_KINDS = {
    User.Role.ADMIN: Organisation.Kind.AUTHORITY,
    User.Role.LEAD: Organisation.Kind.AUTHORITY,
    User.Role.FEDERATION: Organisation.Kind.FEDERATION,
    User.Role.EDITOR: Organisation.Kind.EDITOR,
}
ROLE_KINDS_BY_KIND = {
    kind: {role for role, role_kind in ROLE_KINDS.items() if role_kind == kind}
    for kind in Organisation.Kind.values
}


def check_role_fits(form: forms.Form, role: str | None, organisation: Organisation | None) -> None:
    if role and organisation and ROLE_KINDS.get(role) != organisation.kind:
        form.add_error(
            "organisation",
            _("Le rôle « %(role)s » ne correspond pas à une organisation de type « %(kind)s ».")
            % {"role": User.Role(role).label, "kind": organisation.get_kind_display()},
        )


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role", "organisation", "task_force"]

    def __init__(self, *args, inviter: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        allowed = invitable_roles(inviter)
        self.fields["role"].choices = [c for c in User.Role.choices if c[0] in allowed]
        self.initial.setdefault("role", User.Role.EDITOR)  # the usual case, never admin by default
        self.fields["task_force"].queryset = TaskForce.objects.all()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Un compte existe déjà pour cette adresse."))
        return email

    def clean(self):
        data = super().clean()
        role = data.get("role")
        check_role_fits(self, role, data.get("organisation"))
        if role == User.Role.LEAD and not data.get("task_force"):
            self.add_error("task_force", _("Indiquez la task force de ce responsable."))
        if role != User.Role.LEAD and data.get("task_force"):
            self.add_error("task_force", _("Seul un responsable de task force en a une."))
        return data


class AcceptInvitationForm(forms.Form):
    given_name = forms.CharField(label=_("Prénom"), max_length=150)
    family_name = forms.CharField(label=_("Nom d'exercice"), max_length=150)
    profession = forms.CharField(
        label=_("Profession ou mention appropriée"), max_length=150, required=False
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Mot de passe (confirmation)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        if first and not self.errors:
            candidate = User(
                email=self.invitation.email,
                given_name=data.get("given_name", ""),
                family_name=data.get("family_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class PersonForm(forms.ModelForm):
    """What an admin changes on someone's account: role, organisation, access."""

    class Meta:
        model = User
        fields = ["role", "organisation", "is_active"]

    def clean(self):
        data = super().clean()
        check_role_fits(self, data.get("role"), data.get("organisation"))
        return data


class CloseAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Je demande la clôture de mon compte et l'effacement de mes données personnelles."),
        required=True,
    )
