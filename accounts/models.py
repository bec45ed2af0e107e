"""People and organisations: the bottom of the app dependency chain."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        AUTHORITY = "authority", _("Autorité")
        EDITOR = "editor", _("Éditeur")
        FEDERATION = "federation", _("Fédération d'éditeurs")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    federations = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="member_editors",
        limit_choices_to={"kind": Kind.FEDERATION},
        verbose_name=_("fédérations"),
        help_text=_("Les fédérations dont cet éditeur est membre."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address.

    Carries the attributes requirement SC.SSI/IE.33 asks a health system to
    manage for a professional: RPPS number (if any), a private identifier whose
    uniqueness is ensured, family name, given name, profession or role.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrateur")
        LEAD = "lead", _("Responsable de task force")
        FEDERATION = "federation", _("Représentant de fédération")
        EDITOR = "editor", _("Éditeur")

    email = models.EmailField(_("adresse électronique"), unique=True)
    family_name = models.CharField(_("nom d'exercice"), max_length=150)
    given_name = models.CharField(_("prénom"), max_length=150)
    profession = models.CharField(_("profession ou mention appropriée"), max_length=150, blank=True)
    rpps = models.CharField(
        _("numéro RPPS"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^\d{11}$", _("Le numéro RPPS compte 11 chiffres."))],
    )
    private_identifier = models.CharField(
        _("identifiant privé"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Identifiant propre à l'organisation, unique s'il est renseigné."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    language = models.CharField(
        _("langue"), max_length=8, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["family_name", "given_name"]

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def get_short_name(self) -> str:
        return self.given_name or self.email

    @property
    def is_portal_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD

    @property
    def is_federation(self) -> bool:
        return self.role == self.Role.FEDERATION

    @property
    def is_editor(self) -> bool:
        return self.role == self.Role.EDITOR

    @property
    def is_authority(self) -> bool:
        """Leads and admins: the people who speak for the authority."""
        return self.is_portal_admin or self.is_lead


class TaskForce(models.Model):
    """One task force per market (Hôpital, Médecine de ville, …), led by ANS/DNS."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), unique=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    leads = models.ManyToManyField(
        User, through="TaskForceLead", related_name="task_forces", verbose_name=_("responsables")
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")

    def __str__(self) -> str:
        return self.name


class TaskForceLead(models.Model):
    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="task_force_memberships")
    is_public_contact = models.BooleanField(
        _("point de contact public"),
        default=True,
        help_text=_("Affiché sur la page « Vos points de contact »."),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["task_force", "order"]
        verbose_name = _("responsable de task force")
        verbose_name_plural = _("responsables de task force")
        constraints = [
            models.UniqueConstraint(fields=["task_force", "user"], name="unique_task_force_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.task_force}"
