from django.core.management.base import BaseCommand

from segur_portal.demo.load import load_demo


class Command(BaseCommand):
    help = (
        "Load the concertation of the 25/09/2023 deck: SONS, task forces, topics, "
        "requirements, decisions, calendar, reference documents. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--original-dates",
            action="store_true",
            help="Keep the deck's 2023 dates instead of moving the story to the current week.",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Put rows that already exist back to the deck's values (and dates).",
        )

    def handle(self, *args, original_dates, refresh, **options):
        report = load_demo(original_dates=original_dates, refresh=refresh)
        if not report.changed:
            self.stdout.write("Demo data already loaded: nothing changed.")
        for label, counts in (("created", report.created), ("updated", report.updated)):
            for name, count in counts.items():
                self.stdout.write(f"  {label}: {count} {name}")
