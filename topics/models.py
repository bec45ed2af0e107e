"""SONS, topics and requirements: what the concertation is about."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .references import normalise_reference

# The PostgreSQL text search configuration of the catalogue (French stemming
# after unaccent: migration 0004).
SEARCH_CONFIG = "french_unaccent"


class StatementDocument(SearchVector):
    """A statement's words as PostgreSQL searches them, stored with the row
    (``RequirementSons.document``) so that a search never runs the French
    stemmer over every statement again. SQLite has no full-text search (see
    topics.search): the column is NULL there.

    Slashes are read as spaces: PostgreSQL's parser takes "RPPS/ADELI" for a
    file path (one token) and cuts "télécharger/intégrer" inside a word, so
    that neither part would be found."""

    def __init__(self):
        text = Replace("statement", Value("/"), Value(" "), output_field=models.TextField())
        super().__init__(text, config=SEARCH_CONFIG)

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


class Sons(models.Model):
    """A funded software category ("système ouvert et non sélectif")."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    aliases = models.CharField(
        _("autres codes"),
        max_length=100,
        blank=True,
        help_text=_("Codes utilisés dans les tableurs, séparés par des virgules (ex. BIO)."),
    )
    task_force = models.ForeignKey(
        "accounts.TaskForce",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sons",
        verbose_name=_("task force"),
    )
    editors = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="sons",
        limit_choices_to={"kind": "editor"},
        verbose_name=_("éditeurs"),
        help_text=_("Les éditeurs qui vendent un logiciel de ce SONS."),
    )
    in_concertation = models.BooleanField(
        _("dans le périmètre « Tous »"),
        default=True,
        help_text=_(
            "Décoché pour un SONS qui suit un dispositif spécifique (ex. SGL) : "
            "il n'est alors dans le périmètre d'aucun sujet « Tous »."
        ),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("SONS")
        verbose_name_plural = _("SONS")

    def __str__(self) -> str:
        return self.code


class Topic(models.Model):
    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Périmètre technique")
        LGC_SPECIFIC = "lgc", _("Sujet spécifique LGC")
        ADMINISTRATIVE = "administrative", _("Conditions administratives et financières")
        EDITOR_JOURNEY = "journey", _("Parcours éditeurs")

    number = models.PositiveSmallIntegerField(_("numéro"), null=True, blank=True, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    domain_code = models.CharField(_("domaine"), max_length=20, blank=True)
    title = models.CharField(_("intitulé"), max_length=255)
    kind = models.CharField(_("catégorie"), max_length=20, choices=Kind.choices)
    scope = models.ManyToManyField(Sons, related_name="topics", verbose_name=_("SONS concernés"))
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    # The feedback window: argued feedback is filed between these two times
    # (either may be empty: no bound on that side; both empty: always open).
    feedback_opens_at = models.DateTimeField(_("ouverture des retours"), null=True, blank=True)
    feedback_closes_at = models.DateTimeField(_("clôture des retours"), null=True, blank=True)

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("sujet")
        verbose_name_plural = _("sujets")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The title as the deck writes it: "(SSI) Antivirus"."""
        return f"({self.domain_code}) {self.title}" if self.domain_code else self.title

    def feedback_window_state(self, now) -> str:
        """ "open", "not_yet" or "closed": whether feedback may be filed at ``now``."""
        if self.feedback_opens_at and now < self.feedback_opens_at:
            return "not_yet"
        if self.feedback_closes_at and now >= self.feedback_closes_at:
            return "closed"
        return "open"

    @property
    def has_feedback_window(self) -> bool:
        return bool(self.feedback_opens_at or self.feedback_closes_at)


class Requirement(models.Model):
    class Nature(models.TextChoices):
        MANDATORY = "mandatory", _("Obligatoire")
        RECOMMENDED = "recommended", _("Préconisée")

    reference = models.CharField(_("référence"), max_length=100, unique=True)
    # Sized from the authority's files: "Domaine (Chantier)" reaches 106
    # characters in the IT2 file, blocks and functions stay under 200; 255
    # leaves room, and an import names the row and column of a longer value.
    domain = models.CharField(_("domaine (chantier)"), max_length=255, blank=True)
    block = models.CharField(_("bloc"), max_length=255, blank=True)
    function = models.CharField(_("fonction"), max_length=255, blank=True)
    nature = models.CharField(
        _("nature"), max_length=20, choices=Nature.choices, default=Nature.MANDATORY
    )
    blocking = models.BooleanField(_("bloquante"), default=False)
    prerequisites = models.TextField(_("prérequis"), blank=True)
    steps = models.TextField(_("étapes du scénario"), blank=True)
    proof = models.TextField(_("preuve"), blank=True)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("sujet"),
    )
    sons = models.ManyToManyField(
        Sons, through="RequirementSons", related_name="requirements", verbose_name=_("SONS")
    )

    class Meta:
        ordering = ["reference"]
        verbose_name = _("exigence")
        verbose_name_plural = _("exigences")

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        # Typed in the admin with a non-breaking space, it would be another requirement.
        self.reference = normalise_reference(self.reference)


class RequirementSons(models.Model):
    """A requirement as one SONS' requirement set states it."""

    class State(models.TextChoices):
        IN_FORCE = "in_force", _("En vigueur")
        OBSOLETE = "obsolete", _("Obsolète")

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="applicabilities"
    )
    sons = models.ForeignKey(Sons, on_delete=models.PROTECT, related_name="applicabilities")
    statement = models.TextField(_("énoncé"))
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.IN_FORCE
    )
    remark = models.TextField(_("remarques"), blank=True)
    # Kept by the database on every insert and update (its GIN index:
    # migration 0006); read by topics.search only.
    document = models.GeneratedField(
        expression=StatementDocument(),
        output_field=SearchVectorField(null=True),
        db_persist=True,
    )

    class Meta:
        ordering = ["requirement", "sons"]
        verbose_name = _("exigence par SONS")
        verbose_name_plural = _("exigences par SONS")
        constraints = [
            models.UniqueConstraint(fields=["requirement", "sons"], name="unique_requirement_sons"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} ({self.sons})"


class RequirementVersion(models.Model):
    """The statement of a requirement in one SONS' set at one iteration or release."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="versions")
    sons = models.ForeignKey(Sons, on_delete=models.PROTECT, related_name="requirement_versions")
    label = models.CharField(_("version"), max_length=100)
    # The iteration whose file gave this statement (none for the versions
    # that a published decision makes).
    iteration = models.ForeignKey(
        "Iteration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name=_("itération"),
    )
    statement = models.TextField(_("énoncé"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["requirement", "sons", "created_at", "pk"]
        verbose_name = _("version d'exigence")
        verbose_name_plural = _("versions d'exigence")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "sons", "label"], name="unique_requirement_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} ({self.sons}) — {self.label}"


class ReferenceDocument(models.Model):
    """A published document of a SONS: requirement set (REM), referencing
    specification (DSR), funding call (AF), or the bundle of the three."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    sons = models.ForeignKey(
        Sons, on_delete=models.PROTECT, related_name="documents", verbose_name=_("SONS")
    )
    contents = models.CharField(
        _("contenu"), max_length=100, blank=True, help_text=_("Ex. REM, DSR, AF.")
    )
    release = models.CharField(_("version"), max_length=100, blank=True)
    published_on = models.DateField(_("publié le"), null=True, blank=True)
    url = models.URLField(_("adresse"), blank=True)

    class Meta:
        ordering = ["sons__order", "name"]
        verbose_name = _("document de référence")
        verbose_name_plural = _("documents de référence")

    def __str__(self) -> str:
        return self.name


class Iteration(models.Model):
    """One iteration of the requirement sets (IT1, IT2, IT3…), or another
    milestone the authority's files name ("Version 1.0"): every version an
    import writes belongs to one, and any two can be compared."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    label = models.CharField(_("intitulé"), max_length=100)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("itération")
        verbose_name_plural = _("itérations")

    def __str__(self) -> str:
        return self.label


class IterationEntryQuerySet(models.QuerySet):
    def published(self) -> IterationEntryQuerySet:
        """What participants may read: the rows the authority published
        (not its "HIDEME" rows)."""
        return self.filter(hidden=False)


class IterationEntry(models.Model):
    """What one iteration's file says of a requirement in one SONS: its
    statement, the evolution ("Evolution", as a decision code), the
    authority's comment. Rows the authority does not publish ("HIDEME") are
    kept here only, ``hidden``, with the authority's internal note ("VERIF:
    Note interne"): both are for leads and admins (catalogue.access)."""

    iteration = models.ForeignKey(
        Iteration, on_delete=models.CASCADE, related_name="entries", verbose_name=_("itération")
    )
    requirement = models.ForeignKey(
        Requirement,
        on_delete=models.CASCADE,
        related_name="iteration_entries",
        verbose_name=_("exigence"),
    )
    sons = models.ForeignKey(
        Sons, on_delete=models.PROTECT, related_name="iteration_entries", verbose_name=_("SONS")
    )
    statement = models.TextField(_("énoncé"), blank=True)
    # An arbitrations.Arbitration.Decision value ("" when the file says none).
    evolution = models.CharField(_("évolution"), max_length=30, blank=True)
    comment = models.TextField(_("commentaire de l'autorité"), blank=True)
    hidden = models.BooleanField(_("masquée (HIDEME)"), default=False)
    internal_note = models.TextField(_("note interne"), blank=True)
    milestones = models.CharField(_("jalons"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = IterationEntryQuerySet.as_manager()

    class Meta:
        ordering = ["iteration", "requirement", "sons"]
        verbose_name = _("exigence d'une itération")
        verbose_name_plural = _("exigences des itérations")
        constraints = [
            models.UniqueConstraint(
                fields=["iteration", "requirement", "sons"], name="unique_iteration_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} ({self.sons}) — {self.iteration}"


class ReferenceAlias(models.Model):
    """Another name of a requirement: its name before it was renamed
    ("anciennement SC.MSS/CDA.04"), or the way a file writes it ("CDA/INT.04"
    for SC.CDA/INT.04). Confirmed by a lead once, remembered for every later
    file; the old name leads to the requirement and is found by search.
    Without a requirement, the lead said that this reference is a
    requirement of its own: the match is not proposed again."""

    reference = models.CharField(_("référence"), max_length=100, unique=True)
    requirement = models.ForeignKey(
        Requirement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
        verbose_name=_("exigence"),
    )
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmé par"),
    )
    decided_at = models.DateTimeField(_("confirmé le"), default=timezone.now)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("autre référence")
        verbose_name_plural = _("autres références")

    def __str__(self) -> str:
        return f"{self.reference} → {self.requirement or '—'}"

    def clean(self) -> None:
        self.reference = normalise_reference(self.reference)
