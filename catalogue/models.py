"""The requirement catalogue's records: one row per import of a spreadsheet."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueImport(models.Model):
    """One import of a requirement spreadsheet: who, when, which file, what it
    found (the dry run) and what it did. The file's bytes are kept between the
    dry run and the confirmation, then dropped (the checksum stays)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçu, vérification en attente")
        CHECKING = "checking", _("Vérification en cours")
        CHECKED = "checked", _("Vérifié, en attente de confirmation")
        REJECTED = "rejected", _("Refusé, rien n'a été enregistré")
        QUEUED = "queued", _("Confirmé, en file d'attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Importé")
        FAILED = "failed", _("Échec, rien n'a été enregistré")

    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        related_name="catalogue_imports",
        verbose_name=_("par"),
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # What the file holds: "requirements", or a kind another app registered
    # (catalogue.kinds: "vendor_comments").
    kind = models.CharField(_("type de fichier"), max_length=30, default="requirements")
    file_name = models.CharField(_("fichier"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    content = models.BinaryField(_("contenu"), null=True, blank=True, editable=False)
    sheet = models.CharField(_("feuille"), max_length=100, blank=True)
    sheets = models.JSONField(_("feuilles du classeur"), default=list, blank=True)
    made_at = models.DateTimeField(
        _("fichier établi le"),
        null=True,
        blank=True,
        help_text=_(
            "Date d'enregistrement du classeur : un arbitrage changé depuis est un conflit."
        ),
    )
    given_date = models.BooleanField(
        _("date donnée par la personne"),
        default=False,
        help_text=_("Le fichier (un CSV) ne la disait pas : la personne qui importe l'a donnée."),
    )
    publish = models.BooleanField(_("publier les arbitrages"), default=False)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.CHECKED
    )
    rows = models.PositiveIntegerField(_("lignes"), default=0)
    created = models.PositiveIntegerField(_("créées"), default=0)
    updated = models.PositiveIntegerField(_("modifiées"), default=0)
    unchanged = models.PositiveIntegerField(_("inchangées"), default=0)
    ignored = models.PositiveIntegerField(_("ignorées"), default=0)
    conflicts = models.PositiveIntegerField(_("conflits"), default=0)
    skipped = models.PositiveIntegerField(_("écartées"), default=0)
    hidden = models.PositiveIntegerField(_("masquées (HIDEME)"), default=0)
    to_confirm = models.PositiveIntegerField(_("références à confirmer"), default=0)
    errors = models.PositiveIntegerField(_("erreurs"), default=0)
    message = models.TextField(_("message"), blank=True)
    report = models.JSONField(_("compte rendu"), default=dict, blank=True)
    bases = models.JSONField(
        _("arbitrages lus à la vérification"),
        default=dict,
        blank=True,
        help_text=_("Ce que la vérification a lu, pour refuser à la confirmation ce qui a changé."),
    )

    class Meta:
        # Moved from topics/ (catalogue migration 0001): same table.
        db_table = "topics_catalogueimport"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import du catalogue")
        verbose_name_plural = _("imports du catalogue")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.REJECTED)

    @property
    def is_checking(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.CHECKING)

    @property
    def is_pending(self) -> bool:
        """Something is at work on it (a check or the import): the page follows it."""
        return self.status in (
            self.Status.RECEIVED,
            self.Status.CHECKING,
            self.Status.QUEUED,
            self.Status.RUNNING,
        )
