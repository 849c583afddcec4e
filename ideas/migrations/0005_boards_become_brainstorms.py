"""Every workshop's board becomes the first activity of its run of show: a brainstorm, current,
in the workshop's phase, holding all the workshop's ideas (their votes stay on them)."""

from django.conf import settings
from django.db import migrations
from wagtail.coreutils import get_supported_content_language_variant


def rooms(WorkshopPage):
    """One page per translation family: the default language's, else the oldest (as
    `workshop_site.core.i18n.canonical` picks the page that holds the room)."""
    default = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    families: dict = {}
    for page in WorkshopPage.objects.select_related("locale").order_by("pk"):
        kept = families.get(page.translation_key)
        if kept is None or (page.locale.language_code == default and kept.locale.language_code != default):
            families[page.translation_key] = page
    return families.values()


def boards_to_brainstorms(apps, schema_editor):
    WorkshopPage = apps.get_model("workshops", "WorkshopPage")
    Activity = apps.get_model("ideas", "Activity")
    Idea = apps.get_model("ideas", "Idea")
    for room in rooms(WorkshopPage):
        if Activity.objects.filter(workshop_id=room.pk).exists():
            continue
        brainstorm = Activity.objects.create(
            workshop_id=room.pk, position=0, kind="brainstorm", title=room.title[:200],
            phase=room.phase, is_current=True,
        )
        Idea.objects.filter(workshop_id=room.pk).update(activity=brainstorm)


def brainstorms_to_boards(apps, schema_editor):
    apps.get_model("ideas", "Idea").objects.update(activity=None)
    apps.get_model("ideas", "Activity").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("ideas", "0004_activities")]

    operations = [migrations.RunPython(boards_to_brainstorms, brainstorms_to_boards)]
