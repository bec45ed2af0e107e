import time

from django.core.management.base import BaseCommand, CommandError

from segur_portal.loaddata import EMAIL_DOMAIN, LOAD_PASSWORD, Generator


class Command(BaseCommand):
    help = (
        "Build a realistic data set for the benchmark: the size of the real "
        "concertation times --scale, on top of the demo (loaded first if missing). "
        "Deterministic (--seed). For a fresh database: refuses to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiplies every volume.")
        parser.add_argument("--seed", type=int, default=2023)

    def handle(self, *args, scale, seed, **options):
        if scale < 1:
            raise CommandError("--scale is a whole number, 1 or more.")
        self.stdout.write(f"Generating load data at scale {scale}:")
        started = time.perf_counter()
        try:
            steps = Generator(scale=scale, seed=seed, log=self.stdout.write).run()
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        total = time.perf_counter() - started
        self.stdout.write(
            f"Done in {total:.1f} s. People: *@{EMAIL_DOMAIN}, password {LOAD_PASSWORD}"
        )
        missing = [step.name for step in steps if step.missing]
        if missing:
            self.stdout.write(self.style.WARNING(f"Missing steps: {', '.join(missing)}"))
