"""python manage.py import_requirements FILE --as EMAIL [--sheet NAME] [--dry-run] [--publish]
[--date ISO] [--accept-matches]

Imports a requirement spreadsheet (the authority's XLSX or ODS layout, its
test-management export, a CSV, or an export of the portal) — or another kind
of file the import page takes (catalogue.kinds: the vendors' comments) — as
the portal's import page does, in the name of the person given by --as (a
lead or an administrator: decisions are recorded with their rights, as
drafts unless --publish). Prints the report of every row and the counts;
exits with status 1 when the file is rejected (nothing is saved then), and
saves nothing at all with --dry-run.

A CSV says nothing of when it was saved: give --date (ISO 8601, Paris time
unless a zone is given) so that decisions changed since are conflicts, not
overwritten. References the file writes differently from the catalogue are
proposed as matches: --accept-matches confirms them all (they are printed
first: check them with --dry-run).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from arbitrations.access import may_decide_any
from catalogue.importing import counts, import_at_once
from catalogue.plan import STATUS_LABELS
from catalogue.reading import FileRejected


class Command(BaseCommand):
    help = (
        "Importe un tableur d'exigences (XLSX ou ODS de l'autorité, CSV, export du portail) "
        "ou les commentaires des éditeurs au nom de --as ; --dry-run vérifie sans rien "
        "enregistrer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Le fichier XLSX, ODS, CSV ou JSON.")
        parser.add_argument(
            "--as",
            dest="email",
            required=True,
            help="Courriel de la personne au nom de qui importer (responsable ou administrateur).",
        )
        parser.add_argument("--sheet", default="", help="La feuille du classeur à lire.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Vérifier seulement : rien n'est enregistré."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publier les arbitrages importés."
        )
        parser.add_argument(
            "--date",
            default="",
            help="Date d'enregistrement du fichier (ISO 8601) ; obligatoire pour un CSV.",
        )
        parser.add_argument(
            "--accept-matches",
            action="store_true",
            help="Confirmer les correspondances de références proposées.",
        )

    def handle(self, *args, file, email, sheet, dry_run, publish, date, accept_matches, **options):
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun compte actif pour {email}.")
        if not may_decide_any(user):
            raise CommandError(
                f"{email} n'arbitre aucun SONS : seuls les responsables et les "
                "administrateurs importent."
            )
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        made_at = None
        if date:
            try:
                made_at = datetime.fromisoformat(date)
            except ValueError:
                raise CommandError(
                    f"Date illisible : {date} (attendu : 2023-10-05T09:00)."
                ) from None
            if timezone.is_naive(made_at):
                made_at = timezone.make_aware(made_at)
        try:
            entry = import_at_once(
                user=user,
                file_name=path.name,
                content=path.read_bytes(),
                sheet=sheet,
                publish=publish,
                dry_run=dry_run,
                made_at=made_at,
                accept_matches=accept_matches,
            )
        except FileRejected as rejected:
            raise CommandError(f"Fichier refusé : {rejected}") from None
        for row in entry.report["rows"]:
            details = [*row["changes"], *row["messages"]]
            details += [f"colonne « {e['column']} » : {e['message']}" for e in row["errors"]]
            self.stdout.write(
                f"ligne {row['row']}\t{row['reference']}\t{row['sons']}\t"
                f"{STATUS_LABELS.get(row['status'], row['status'])}"
                + (f"\t{' ; '.join(details)}" if details else "")
            )
        for error in entry.report["base_errors"]:
            self.stdout.write(f"erreur : {error}")
        for proposal in entry.report.get("proposals", []):
            self.stdout.write(
                f"correspondance proposée : {proposal['reference']} → {proposal['new_reference']} "
                f"({proposal['reason']})"
            )
        if entry.report.get("ignored_columns"):
            self.stdout.write("colonnes non lues : " + ", ".join(entry.report["ignored_columns"]))
        summary = ", ".join(f"{key} : {value}" for key, value in counts(entry).items())
        self.stdout.write(summary)
        if entry.errors:
            raise CommandError(
                f"Fichier refusé : {entry.errors} erreur(s), rien n'a été enregistré."
            )
        if entry.to_confirm and not dry_run:
            raise CommandError(
                f"{entry.to_confirm} ligne(s) attendent la confirmation de correspondances : "
                "relancez avec --accept-matches (ou confirmez-les sur le portail)."
            )
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS("Vérification seulement : rien n'a été enregistré.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Import n°{entry.pk} enregistré."))
