import json

from django.core.management.base import BaseCommand, CommandError

from workshop_site.composition.transfer import TransferRefused, workshop_import


class Command(BaseCommand):
    help = (
        "Read a workshop written by export_workshop into this site, all or nothing; refuses when "
        "its join code, slug, prototypes or content already exist here."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A JSON file written by export_workshop.")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                document = json.load(handle)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file} is not a JSON file: {exc}.") from exc
        try:
            report = workshop_import(document=document)
        except TransferRefused as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in report.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"Workshop {report.workshop.join_code} imported at {report.workshop.url_path}: {counts}."
        ))
        if report.missing_users:
            self.stdout.write(
                "No account here for " + ", ".join(report.missing_users)
                + ": those references (owner, moderator, facilitator) were left empty."
            )
