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
    closed_at = models.DateTimeField(
        _("compte clos le"),
        null=True,
        blank=True,
        help_text=_(
            "Compte clos à la demande de la personne : ses données personnelles sont effacées."
        ),
    )

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
        if self.closed_at:
            return str(_("Compte clos"))
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

    @property
    def requires_mfa(self) -> bool:
        """Leads and admins must sign in with a second factor (SC.SSI/IE.34)."""
        return self.is_authority

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


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


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None) -> InvitationQuerySet:
        now = now or timezone.now()
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=now)


class Invitation(models.Model):
    """An e-mail invitation to join the portal with a role in an organisation.

    Only a hash of the link's token is stored: the link itself exists in the
    e-mail alone. Accepting it creates the account with this address verified.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        EXPIRED = "expired", _("Expirée")
        REVOKED = "revoked", _("Révoquée")

    email = models.EmailField(_("adresse électronique"))
    role = models.CharField(_("rôle"), max_length=20, choices=User.Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    task_force = models.ForeignKey(
        TaskForce,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("task force"),
        help_text=_("Pour un responsable de task force."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte créé"),
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()}, {self.organisation})"

    def status_at(self, now=None) -> str:
        now = now or timezone.now()
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete audit events through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit events are never changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events are only removed by the retention purge.")

    def older_than(self, cutoff) -> AuditEventQuerySet:
        return self.filter(at__lt=cutoff)

    def purge_older_than(self, cutoff) -> int:
        """The one way out of the log: events past their retention period."""
        expired = self.older_than(cutoff)
        return expired._raw_delete(expired.db)


class AuditEvent(models.Model):
    """One line of the security audit log: append-only, kept 12 months.

    Holds who did what, when, from where, on what; never a password, a token
    or a code (accounts.audit.record removes them from the details).
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Connexion")
        LOGIN_FAILED = "login_failed", _("Échec de connexion")
        LOGOUT = "logout", _("Déconnexion")
        LOCKOUT = "lockout", _("Verrouillage après des échecs répétés")
        SESSION_EXPIRED = "session_expired", _("Session expirée")
        PASSWORD_CHANGED = "password_changed", _("Mot de passe modifié")
        PASSWORD_RESET = "password_reset", _("Mot de passe réinitialisé")
        EMAIL_CHANGE_REQUESTED = "email_change_requested", _("Changement d'adresse demandé")
        EMAIL_CHANGED = "email_changed", _("Adresse électronique modifiée")
        PROFILE_CHANGED = "profile_changed", _("Profil modifié")
        ROLE_CHANGED = "role_changed", _("Rôle modifié")
        ORGANISATION_CHANGED = "organisation_changed", _("Organisation modifiée")
        ORGANISATION_CREATED = "organisation_created", _("Organisation créée")
        INVITATION_SENT = "invitation_sent", _("Invitation envoyée")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation acceptée")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation révoquée")
        MFA_ACTIVATED = "mfa_activated", _("Second facteur activé")
        MFA_DEACTIVATED = "mfa_deactivated", _("Second facteur désactivé")
        MFA_RESET_BY_ADMIN = (
            "mfa_reset_by_admin",
            _("Second facteur désactivé par un administrateur"),
        )
        MFA_RECOVERY_CODES = "mfa_recovery_codes", _("Codes de secours régénérés")
        MFA_FAILED = "mfa_failed", _("Code de second facteur refusé")
        DATA_EXPORTED = "data_exported", _("Données personnelles téléchargées")
        ACCOUNT_CLOSED = "account_closed", _("Compte clos")
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        DECISION_CHANGED = "decision_changed", _("Arbitrage modifié")
        MODERATION = "moderation", _("Modération")
        FEEDBACK_FILED = "feedback_filed", _("Retour déposé")
        FEEDBACK_ANSWERED = "feedback_answered", _("Réponse à un retour")

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    # The address as it was: the log keeps saying who acted after a change.
    actor_email = models.CharField(_("adresse de l'auteur"), max_length=254, blank=True)
    subject = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte concerné"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    target_type = models.CharField(_("type d'objet"), max_length=100, blank=True)
    target_id = models.CharField(_("identifiant de l'objet"), max_length=100, blank=True)
    target_label = models.CharField(_("objet"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.actor_email}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events are only removed by the retention purge.")

    @property
    def details_text(self) -> str:
        import json

        return json.dumps(self.details, ensure_ascii=False, sort_keys=True) if self.details else ""


class SecurityCacheEntry(models.Model):
    """A row of the "security" cache (settings.CACHES): allauth's rate limits
    and the TOTP codes already used, in the database so that signing in works
    with Redis down. Django's DatabaseCache reads and writes this table, whose
    columns are the ones ``createcachetable`` would make; being a model, it is
    created by ``migrate`` and emptied with the other tables."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "accounts_security_cache"

    def __str__(self) -> str:
        return self.cache_key
