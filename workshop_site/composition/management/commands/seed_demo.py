import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workshop_site.composition.demo import DEMO_JOIN_CODE, seed_demo


class Command(BaseCommand):
    help = "Load the Atelier demo (the BCIS pilot): idempotent, refuses to run with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Run even with DEBUG off (a staging site). Never on a real production site.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates users with a known password. "
                "Use --force on a staging site."
            )
        password = os.environ.get("DEMO_PASSWORD", "atelier-demo")
        demo = seed_demo(password=password)
        if demo.created:
            self.stdout.write(self.style.SUCCESS("Demo created: " + ", ".join(demo.created)))
        else:
            self.stdout.write("Demo already loaded; nothing changed.")
        self.stdout.write(f"Live workshop join code: {DEMO_JOIN_CODE}")
