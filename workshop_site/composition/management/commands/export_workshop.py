import json
import sys

from django.core.management.base import BaseCommand, CommandError

from workshop_site.composition.transfer import workshop_export
from workshop_site.core.i18n import canonical_pages
from workshop_site.workshops.join_codes import normalise
from workshop_site.workshops.models import WorkshopPage


class Command(BaseCommand):
    help = (
        "Write one workshop (ideas, votes, participants' names, prototypes with their pictures, "
        "service maps, feedback, test tasks, action plan links) to a JSON file."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="The workshop's join code.")
        parser.add_argument("-o", "--output", help="The file to write (default: standard output).")

    def handle(self, *args, code, output=None, **options):
        # Drafts and closed workshops are exported too, so no live() filter here. Translations
        # share the code; the canonical page is the one ideas and votes hang on.
        pages = WorkshopPage.objects.filter(join_code=normalise(code))
        workshop = canonical_pages(pages).first() if pages.exists() else None
        if workshop is None:
            raise CommandError(f"No workshop has the join code {code!r}.")
        text = json.dumps(workshop_export(workshop=workshop), ensure_ascii=False, indent=1, sort_keys=True)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(f"Workshop {workshop.join_code} written to {output}.")
        else:
            sys.stdout.write(text + "\n")
