"""A Wagtail locale for Romanian, Russian and English, so pages can be translated at once.

Wagtail's own migrations create only the default locale.
"""

from django.conf import settings
from django.db import migrations


def content_locales_ensure(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(content_locales_ensure, migrations.RunPython.noop)]
